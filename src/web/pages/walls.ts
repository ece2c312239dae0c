import type { WallSummary } from '../../shapes/wall.js';
import { html, trusted, type SafeHtml } from './html.js';

/** What the screen's and the photo page's client need to draw the wall (walls.ts in client/lib). */
const geometry = (w: WallSummary) =>
  html`data-wall="${w.id}" data-cols="${w.cols}" data-rows="${w.rows}" data-cell-px="${w.screenCellPx}"`;

const STATE_TEXT: Record<WallSummary['state'], string> = {
  open: '',
  full: 'The wall is full: new photos become mosaics of their own.',
  closed: 'The wall is closed.',
};

/**
 * The live screen: the wall fills the viewport (from a phone to a 4K screen), with its title,
 * the count, a QR code to add a photo and a search box. Titles are user input: escaped here,
 * and the client writes names with textContent only.
 */
export function wallScreenView(w: WallSummary, qrSvg: string, uploadUrl: string): SafeHtml {
  return html`<div class="wall-screen" id="wall-screen" ${geometry(w)} data-state="${w.state}">
    <div
      class="wall-viewer"
      id="wall-viewer"
      tabindex="0"
      aria-label="The live wall: drag to move, scroll or use + and − to zoom into single photos"
    ></div>
    <header class="wall-bar">
      <h1 id="wall-title">${w.title}</h1>
      <p class="wall-count">
        <span id="wall-counter">${w.placed} / ${w.total}</span> <span class="muted">photos</span>
      </p>
      <p class="wall-state" id="wall-state" role="status">${STATE_TEXT[w.state]}</p>
    </header>
    <aside class="wall-join" id="wall-join" ${w.state === 'closed' ? html`hidden` : ''}>
      <div class="qr">${trusted(qrSvg)}</div>
      <p>Scan to add your photo<br /><a href="${uploadUrl}">${uploadUrl.replace(/^https?:\/\//, '')}</a></p>
    </aside>
    <form class="wall-search" id="wall-search" role="search">
      <label for="wall-q">Find a photo</label>
      <input id="wall-q" type="search" maxlength="100" placeholder="Name, @handle or C-14" autocomplete="off" />
      <button type="submit">Find</button>
      <p id="wall-found" class="wall-found" role="status"></p>
      <ul id="wall-results" class="wall-results"></ul>
    </form>
    <div class="wall-fly-layer" id="wall-fly-layer" aria-hidden="true"></div>
  </div>`;
}

/** The phone page that sends a photo to the wall. */
export function wallUploadView(w: WallSummary, maxMiB: number): SafeHtml {
  if (w.state === 'closed')
    return html`<section class="upload wall-upload">
      <h1>${w.title}</h1>
      <p>This wall is closed: it takes no more photos. Thank you to everyone who joined in!</p>
      <p><a class="button" href="/upload">Make a mosaic of your own photo instead</a></p>
    </section>`;
  return html`<section class="upload wall-upload" id="wall-upload" data-wall="${w.id}">
    <h1>Add your photo to ${w.title}</h1>
    <p>
      Your photo becomes one tile of the big picture${w.state === 'full' ? '' : ': watch the screen to see it fly in'}.
    </p>
    ${
      w.state === 'full'
        ? html`<p class="demo-notice">The wall is full just now, so your photo becomes a mosaic of its own.</p>`
        : ''
    }
    <form id="wall-upload-form" action="/api/walls/${w.id}/photos" method="post" enctype="multipart/form-data">
      <div class="field">
        <label for="photo">Photo (JPEG, PNG, WebP… up to ${maxMiB} MiB)</label>
        <input id="photo" name="photo" type="file" accept="image/*" required />
        <input id="camera" class="visually-hidden" type="file" accept="image/*" capture="user" />
        <label class="button secondary camera" for="camera">Take a photo now</label>
      </div>
      <figure class="preview" id="preview" hidden><img id="preview-img" alt="The photo you chose" /></figure>
      <div class="field">
        <label for="name">Your name or handle (optional, shown with your photo on the wall)</label>
        <input id="name" name="name" type="text" maxlength="64" autocomplete="nickname" />
      </div>
      <p><button type="submit" id="submit">Add my photo</button></p>
      <p class="error" id="upload-error" role="alert" hidden></p>
    </form>
  </section>`;
}

/** "Find my tile": where a photo landed, once it has. */
export function wallPhotoView(w: WallSummary, photo: string): SafeHtml {
  return html`<section class="wall-photo" id="wall-photo" ${geometry(w)} data-photo="${photo}">
    <h1>Your photo on ${w.title}</h1>
    <p id="wall-photo-state" class="wall-photo-state" role="status" aria-live="polite">Looking for your photo…</p>
    <div class="wall-found-box" id="wall-found-box" hidden>
      <img id="wall-photo-img" class="wall-photo-img" alt="Your photo, as it is on the wall" width="160" height="160" />
      <p class="wall-where">Your photo is at <strong id="wall-label"></strong></p>
    </div>
    <p id="wall-photo-links" class="wall-photo-links"></p>
    <div
      class="viewer wall-photo-viewer"
      id="wall-viewer"
      tabindex="0"
      aria-label="The wall, your photo marked: drag to move, scroll or use + and − to zoom"
      hidden
    ></div>
    <p><a href="/walls/${w.id}/upload">Add another photo</a></p>
  </section>`;
}
