import { ApiError, messageOf } from './lib/api';
import { byId } from './lib/dom';

const root = byId('wall-upload');
const form = byId<HTMLFormElement>('wall-upload-form');
const photo = byId<HTMLInputElement>('photo');
const camera = byId<HTMLInputElement>('camera');
const nameInput = byId<HTMLInputElement>('name');
const submit = byId<HTMLButtonElement>('submit');
const error = byId('upload-error');
const preview = byId('preview');
const previewImg = byId<HTMLImageElement>('preview-img');
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

// A file the browser cannot show (HEIC on some) gets no broken preview; the server may still read it.
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
    case 404:
      return 'This wall does not exist any more.';
    case 409:
      return 'This wall has just closed: it takes no more photos.';
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
  submit.textContent = 'Sending your photo…';
  const body = new FormData();
  body.append('photo', file, file.name || 'photo.jpg');
  if (nameInput.value.trim()) body.append('name', nameInput.value.trim());
  try {
    const res = await fetch(`/api/walls/${encodeURIComponent(root.dataset.wall ?? '')}/photos`, {
      method: 'POST',
      body,
    });
    if (!res.ok) throw new ApiError(res.status, await messageOf(res));
    const { page } = (await res.json()) as { page: string };
    location.assign(page);
  } catch (err) {
    showError(
      err instanceof ApiError ? refusal(err) : 'MosaicMe could not be reached. Check your connection and try again.',
    );
    submit.disabled = false;
    submit.textContent = 'Add my photo';
  }
});
