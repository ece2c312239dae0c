import type { MosaicView, RequestStatus } from './api';

export type LiveHandlers = {
  mosaic?: (m: MosaicView) => void;
  request?: (s: RequestStatus) => void;
  hidden?: (e: { id: string }) => void;
  /** The stream came back after a break: events may have been missed, so read again. */
  reconnected?: () => void;
};

/** The server's live events (`/api/events`); EventSource reconnects by itself. */
export function liveEvents(on: LiveHandlers): EventSource {
  const es = new EventSource('/api/events');
  let broken = false;
  const listen = <T>(name: string, fn: ((data: T) => void) | undefined) => {
    if (!fn) return;
    es.addEventListener(name, (e) => {
      try {
        fn(JSON.parse((e as MessageEvent<string>).data) as T);
      } catch {
        // A malformed event is dropped; the next one or the next read puts things right.
      }
    });
  };
  listen('mosaic', on.mosaic);
  listen('request', on.request);
  listen('hidden', on.hidden);
  es.addEventListener('error', () => (broken = true));
  es.addEventListener('open', () => {
    if (broken) on.reconnected?.();
    broken = false;
  });
  return es;
}
