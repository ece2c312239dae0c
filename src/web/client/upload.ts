import { ApiError, getJson, messageOf, type RequestStatus } from './lib/api';
import { byId, h } from './lib/dom';
import { liveEvents } from './lib/events';

const form = byId<HTMLFormElement>('upload-form');
const photo = byId<HTMLInputElement>('photo');
const camera = byId<HTMLInputElement>('camera');
const nameInput = byId<HTMLInputElement>('name');
const submit = byId<HTMLButtonElement>('submit');
const error = byId('upload-error');
const preview = byId('preview');
const previewImg = byId<HTMLImageElement>('preview-img');
const progress = byId('progress');
const bar = byId<HTMLProgressElement>('bar');
const state = byId('state');
const result = byId('result');

const POLL_MS = 2000;
let previewUrl: string | undefined;

function showError(message: string | undefined): void {
  error.hidden = !message;
  error.textContent = message ?? '';
}

function showPreview(file: File | undefined): void {
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = file ? URL.createObjectURL(file) : undefined;
  preview.hidden = !previewUrl;
  if (previewUrl) previewImg.src = previewUrl;
}

// A file the browser cannot show (HEIC on some, or not an image at all) gets no broken preview.
previewImg.addEventListener('error', () => (preview.hidden = true));

photo.addEventListener('change', () => {
  showError(undefined);
  showPreview(photo.files?.[0]);
});
// A photo just taken goes into the one field the form sends.
camera.addEventListener('change', () => {
  const file = camera.files?.[0];
  if (!file) return;
  const dt = new DataTransfer();
  dt.items.add(file);
  photo.files = dt.files;
  showError(undefined);
  showPreview(file);
});

const refusal = (e: ApiError): string => {
  switch (e.status) {
    case 413:
      return `That photo is too large: ${e.message}. Try a smaller one.`;
    case 415:
      return `That file is not a photo we can read: ${e.message}.`;
    case 429:
      return `Too many uploads from here just now: ${e.message}. Wait a minute and try again.`;
    default:
      return `The upload did not work: ${e.message}.`;
  }
};

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = photo.files?.[0];
  if (!file) return showError('Choose or take a photo first.');
  showError(undefined);
  submit.disabled = true;
  const body = new FormData();
  body.append('photo', file, file.name || 'photo.jpg');
  if (nameInput.value.trim()) body.append('name', nameInput.value.trim());
  try {
    const res = await fetch('/api/requests', { method: 'POST', body });
    if (!res.ok) throw new ApiError(res.status, await messageOf(res));
    const { id } = (await res.json()) as { id: string };
    follow(id);
  } catch (err) {
    showError(
      err instanceof ApiError ? refusal(err) : 'MosaicMe could not be reached. Check your connection and try again.',
    );
    submit.disabled = false;
  }
});

const STATE_TEXT: Record<RequestStatus['state'], (s: RequestStatus) => string> = {
  queued: () => 'Your photo is in the queue: an engine will start on it shortly…',
  rendering: (s) => `Making your mosaic… ${s.percent ?? 0}%`,
  publishing: () => 'Almost there: adding it to the gallery…',
  done: () => 'Your mosaic is ready!',
  failed: (s) => `Your mosaic could not be made: ${s.reason ?? 'no reason was given'}.`,
};
const barValue = (s: RequestStatus): number =>
  s.state === 'queued'
    ? 5
    : s.state === 'rendering'
      ? 10 + 0.8 * (s.percent ?? 0)
      : s.state === 'publishing'
        ? 95
        : 100;

/** Follows the request live (events), with polling in case the event stream is blocked. */
function follow(id: string): void {
  form.hidden = true;
  progress.hidden = false;
  let finished = false;
  const update = (s: RequestStatus) => {
    if (finished || s.id !== id) return;
    state.textContent = STATE_TEXT[s.state](s);
    state.dataset.state = s.state;
    bar.value = barValue(s);
    if (s.state !== 'done' && s.state !== 'failed') return;
    finished = true;
    events.close();
    clearInterval(poll);
    if (s.state === 'done') {
      const link = h('a', { class: 'button', href: s.mosaic?.page_url ?? `/mosaics/${encodeURIComponent(id)}` });
      link.textContent = 'See your mosaic';
      result.replaceChildren(link);
      link.focus();
    } else {
      const again = h('a', { class: 'button', href: '/upload' }, 'Try another photo');
      result.replaceChildren(again);
      bar.classList.add('failed');
    }
  };
  const events = liveEvents({ request: update });
  const check = () =>
    getJson<RequestStatus>(`/api/requests/${encodeURIComponent(id)}`)
      .then((s) => update({ ...s, id }))
      .catch(() => {});
  const poll = setInterval(check, POLL_MS);
  update({ id, state: 'queued', updatedAt: new Date().toISOString() });
  void check();
}
