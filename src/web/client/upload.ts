import { ApiError, getJson, messageOf, type MosaicView, type RequestStatus } from './lib/api';
import { cardImage } from '../shared/images';
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

const barValue = (s: RequestStatus): number =>
  s.state === 'queued'
    ? 5
    : s.state === 'rendering'
      ? 10 + 0.8 * (s.percent ?? 0)
      : s.state === 'publishing'
        ? 95
        : 100;

const STATE_TEXT: Record<RequestStatus['state'], (s: RequestStatus) => string> = {
  queued: () => 'Your photo is in the queue: an engine will start on it shortly…',
  // The share of the whole way, as the bar shows it (the engine's own percent is only a part).
  rendering: (s) => `Making your mosaic… ${Math.round(barValue(s))}%`,
  publishing: () => 'Almost there: adding it to the gallery…',
  done: () => 'Your mosaic is ready!',
  failed: (s) => `Your mosaic could not be made: ${s.reason ?? 'no reason was given'}.`,
};

/** The finished mosaic: its picture links to its page; "Make another" brings the empty form back. */
function showResult(id: string, mosaic: MosaicView | undefined): void {
  const href = mosaic?.page_url ?? `/mosaics/${encodeURIComponent(id)}`;
  const link = h('a', { class: 'button', href }, 'See your mosaic');
  const again = h('button', { type: 'button', class: 'secondary', id: 'make-another' }, 'Make another');
  again.addEventListener('click', reset);
  const picture = mosaic
    ? h(
        'a',
        { class: 'result-thumb', href },
        h('img', {
          ...cardImage(mosaic),
          sizes: '(max-width: 30rem) 100vw, 24rem',
          alt: `Your mosaic${mosaic.username ? ` by @${mosaic.username}` : ''}`,
          width: mosaic.width,
          height: mosaic.height,
        }),
      )
    : undefined;
  result.replaceChildren(...(picture ? [picture] : []), h('span', { class: 'result-actions' }, link, ' ', again));
  link.focus();
}

function reset(): void {
  form.reset();
  showPreview(undefined);
  showError(undefined);
  submit.disabled = false;
  result.replaceChildren();
  state.textContent = '';
  delete state.dataset.state;
  bar.value = 0;
  bar.classList.remove('failed');
  progress.hidden = true;
  form.hidden = false;
  photo.focus();
}

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
      // A live event may come without the mosaic: the API has it by now.
      if (s.mosaic) showResult(id, s.mosaic);
      else
        void getJson<MosaicView>(`/api/mosaics/${encodeURIComponent(id)}`)
          .catch(() => undefined)
          .then((m) => showResult(id, m));
    } else {
      const again = h('button', { type: 'button', id: 'make-another' }, 'Try another photo');
      again.addEventListener('click', reset);
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
