import type { MosaicPage, MosaicView, RequestState, RequestStatus } from '../../shared/api-types';

export type { MosaicPage, MosaicView, RequestState, RequestStatus };

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
