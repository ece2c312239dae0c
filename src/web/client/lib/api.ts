import type { MosaicPage, MosaicView, RequestState, RequestStatus } from '../../shared/api-types';
export { ADMIN_OFF, ADMIN_OFF_TEXT } from '../../shared/api-types';

export type { MosaicPage, MosaicView, RequestState, RequestStatus };

/** An answer that was not 2xx, with the server's message when it gave one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The server's error code (`error` in the answer), when it gave one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export async function getJson<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  if (!res.ok) throw await apiError(res);
  return (await res.json()) as T;
}

async function apiError(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => undefined)) as { message?: string; error?: string } | undefined;
  return new ApiError(res.status, body?.message ?? `${res.status} ${res.statusText}`, body?.error);
}

export async function messageOf(res: Response): Promise<string> {
  return (await apiError(res)).message;
}

export const mosaicsPage = (page: number, perPage: number) =>
  getJson<MosaicPage>(`/api/mosaics?page=${page}&per_page=${perPage}`);
