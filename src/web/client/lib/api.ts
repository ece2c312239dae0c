/** The shapes the server's API answers with. */
export type MosaicView = {
  id: string;
  username: string;
  display_name?: string;
  network?: 'x' | 'mastodon' | 'bluesky';
  profile_url?: string;
  date: string;
  width?: number;
  height?: number;
  url_small: string;
  url_large: string;
  url_preview: string;
  dzi: string;
  page_url: string;
};
export type MosaicPage = { mosaics: MosaicView[]; page: number; per_page: number; total: number; pages: number };
export type RequestState = 'queued' | 'rendering' | 'publishing' | 'done' | 'failed';
export type RequestStatus = {
  id: string;
  state: RequestState;
  percent?: number;
  reason?: string;
  username?: string;
  updatedAt?: string;
  mosaic?: MosaicView;
};

/** An answer that was not 2xx, with the server's message when it gave one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  if (!res.ok) throw new ApiError(res.status, await messageOf(res));
  return (await res.json()) as T;
}

export async function messageOf(res: Response): Promise<string> {
  const body = (await res.json().catch(() => undefined)) as { message?: string } | undefined;
  return body?.message ?? `${res.status} ${res.statusText}`;
}

export const mosaicsPage = (page: number, perPage: number) =>
  getJson<MosaicPage>(`/api/mosaics?page=${page}&per_page=${perPage}`);
