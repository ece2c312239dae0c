import { ADMIN_OFF_TEXT, type MosaicPage, type MosaicView } from '../shared/api-types.js';
import { cardImage } from '../shared/images.js';
import { isWebUrl } from '../shared/links.js';
import { pagerItems } from '../shared/pager.js';
import { relativeTime } from '../shared/time.js';
import { attr, html, trusted, type SafeHtml } from './html.js';

export type { MosaicPage, MosaicView };

const NETWORKS = { x: 'X', mastodon: 'Mastodon', bluesky: 'Bluesky' } as const;

const when = (iso: string) =>
  html`<time datetime="${iso}" title="${new Date(iso).toUTCString()}" data-relative>${relativeTime(iso)}</time>`;

const who = (m: MosaicView) =>
  isWebUrl(m.profile_url)
    ? html`<a class="who" href="${m.profile_url}" rel="noopener nofollow">@${m.username}</a>`
    : html`<span class="who">@${m.username}</span>`;

/** A gallery card, as the client draws it too (home.ts), so the first page needs no script to show. */
const card = (m: MosaicView) => {
  const img = cardImage(m);
  return html`<li class="card" data-id="${m.id}">
    <a class="thumb" href="${m.page_url}"
      ><img
        src="${img.src}"
        ${attr('srcset', img.srcset)}${attr('sizes', img.sizes)}
        alt="Mosaic by @${m.username}"
        decoding="async"
        ${attr('width', m.width)}${attr('height', m.height)}
    /></a>
    <p class="byline">by ${who(m)} · ${when(m.date)}</p>
  </li>`;
};

const galleryStatus = (p: MosaicPage) =>
  p.total ? `${p.total} mosaic${p.total === 1 ? '' : 's'} · page ${p.page} of ${p.pages}` : 'No mosaics yet.';

const pager = (p: MosaicPage) => {
  const items = pagerItems(p.page, p.pages);
  return items.length
    ? html`<ul>
        ${items.map((i) =>
          i.gap
            ? html`<li class="gap" aria-hidden="true">…</li>`
            : html`<li>
                <a
                  href="${i.href}"
                  data-page="${i.page}"
                  ${attr('rel', i.rel)}${attr('aria-label', i.ariaLabel)}${attr('aria-current', i.current && 'page')}
                  >${i.label}</a
                >
              </li>`,
        )}
      </ul>`
    : '';
};

/** The carousel's first slide, as the client draws it (carousel.ts). */
const slide = (m: MosaicView) =>
  html`<figure class="slide" data-id="${m.id}">
    <a href="${m.page_url}" class="slide-image"
      ><img
        src="${m.url_preview}"
        alt="Mosaic by @${m.username}"
        decoding="async"
        fetchpriority="low"
        ${attr('width', m.width)}${attr('height', m.height)}
    /></a>
    <figcaption><p class="byline">by ${who(m)} · ${when(m.date)}</p></figcaption>
  </figure>`;

/**
 * The home page. `first` is the page of the gallery asked for and `latest` the newest mosaics for
 * the carousel, when the API could give them (else the client fetches them).
 */
export function homeView(
  hashtag: string,
  qrSvg: string,
  first?: MosaicPage,
  latest?: MosaicView[],
  demoOnly = false,
): SafeHtml {
  return html`${demoOnly ? demoNotice : ''}
    <section class="intro">
      <div>
        <h1>Your photo, made of hundreds of photos</h1>
        <p>
          Post a photo with <strong class="hashtag">#${hashtag}</strong> on X, Mastodon or Bluesky, or
          <a href="/upload">upload one here</a>. MosaicMe rebuilds it out of a library of small photos and replies with
          your mosaic. Then zoom in until you see every little photo.
        </p>
        <p><a class="button" href="/upload">Make your mosaic</a> <a href="/about">How it works</a></p>
      </div>
      <figure class="qr">
        ${trusted(qrSvg)}
        <figcaption>Scan to make yours from your phone</figcaption>
      </figure>
      <p class="on-phone">On a phone? <a href="/upload">Take or choose a photo</a> and make yours right here.</p>
    </section>
    <section
      class="carousel"
      id="carousel"
      aria-roledescription="carousel"
      aria-label="Latest mosaics"
      ${latest?.length ? '' : html`hidden`}
    >
      <h2>Latest mosaics</h2>
      <div class="slides" id="slides" aria-live="off">${latest?.length ? slide(latest[0]) : ''}</div>
      <div class="carousel-controls">
        <button type="button" id="prev" aria-label="Previous mosaic">‹</button>
        <span id="slide-dots"
          >${latest?.map(
            (_, n) =>
              html`<button
                type="button"
                class="dot"
                aria-label="Show mosaic ${n + 1} of ${latest.length}"
                aria-pressed="${String(n === 0)}"
              ></button>`,
          )}</span
        >
        <button type="button" id="next" aria-label="Next mosaic">›</button>
        <button type="button" id="carousel-toggle" class="secondary">Pause</button>
      </div>
    </section>
    <div class="notice" id="new-mosaics" role="status" hidden>
      <button type="button" id="show-new">New mosaics: show them</button>
    </div>
    <section class="gallery" aria-labelledby="gallery-title">
      <h2 id="gallery-title">Gallery</h2>
      <p id="gallery-status" class="muted" role="status">${first ? galleryStatus(first) : 'Loading the mosaics…'}</p>
      ${
        first
          ? html`<ul
              class="grid"
              id="grid"
              data-page="${first.page}"
              data-pages="${first.pages}"
              data-total="${first.total}"
            >
              ${first.mosaics.map(card)}
            </ul>`
          : html`<ul class="grid" id="grid"></ul>`
      }
      <nav class="pager" id="pager" aria-label="Gallery pages">${first ? pager(first) : ''}</nav>
      <div class="empty" id="empty" ${first?.total === 0 ? '' : html`hidden`}>
        <h3>No mosaics yet: yours can be the first</h3>
        <ol>
          <li>Take or choose a photo: a face or anything colourful works best.</li>
          <li>Post it with <strong>#${hashtag}</strong>, or <a href="/upload">upload it here</a>.</li>
          <li>Watch it appear here, then zoom in.</li>
        </ol>
      </div>
    </section>`;
}

/** Said while the tile library is only the generated demo one, so nobody takes the tiles for photos. */
const demoNotice = html`<p class="demo-notice" id="demo-notice">
  These mosaics use the built-in demo library of generated pictures. Add your own photos with
  <code>mosaicme tiles add --remote &lt;folder&gt;</code> or a tiles hashtag.
</p>`;

export function mosaicView(m: MosaicView, shareUrl: string, demoOnly = false): SafeHtml {
  const network = m.network ? NETWORKS[m.network] : undefined;
  return html`<article
    class="mosaic-page"
    id="mosaic"
    data-id="${m.id}"
    data-dzi="${m.dzi}"
    ${attr('data-width', m.width)}${attr('data-height', m.height)}
  >
    <p><a class="back" href="/">← Back to the gallery</a></p>
    <h1>Mosaic by ${who(m)}</h1>
    <p class="meta">
      ${m.display_name ? html`${m.display_name} · ` : ''}${network ? html`from ${network} · ` : ''}made ${when(m.date)}
    </p>
    <div
      class="viewer"
      id="viewer"
      tabindex="0"
      aria-label="The mosaic: drag to move, scroll or use + and − to zoom into single photos"
    ></div>
    <p class="muted hint">
      Scroll, pinch or press + to zoom into single photos; drag to move; press 0 for the whole picture.
    </p>
    ${
      demoOnly
        ? html`<p class="muted demo-notice small" id="demo-notice">
            Made from the built-in demo library of generated pictures, not photos.
          </p>`
        : ''
    }
    <div class="actions">
      <a class="button" href="${m.url_large}" download="mosaicme-${m.id}.jpg">Download the full image</a>
      <div class="share">
        <label for="share-url">Share link</label>
        <input id="share-url" type="url" readonly value="${shareUrl}" />
        <button type="button" id="copy-link">Copy</button>
        <span id="copy-status" role="status"></span>
      </div>
    </div>
  </article>`;
}

export const notFoundView = (what: string): SafeHtml =>
  html`<section class="not-found">
    <h1>Not found</h1>
    <p>${what}</p>
    <p><a class="button" href="/">Back to the gallery</a></p>
  </section>`;

export function uploadView(hashtag: string, maxMiB: number): SafeHtml {
  return html`<section class="upload">
    <h1>Make your mosaic</h1>
    <p>
      Choose a photo or take one now. We rebuild it out of hundreds of small photos. You can also post it with
      <strong>#${hashtag}</strong>.
    </p>
    <form id="upload-form" action="/api/requests" method="post" enctype="multipart/form-data">
      <div class="field">
        <label for="photo">Photo (JPEG, PNG, WebP… up to ${maxMiB} MiB)</label>
        <input id="photo" name="photo" type="file" accept="image/*" required />
        <input id="camera" class="visually-hidden" type="file" accept="image/*" capture="environment" />
        <label class="button secondary camera" for="camera">Take a photo now</label>
      </div>
      <figure class="preview" id="preview" hidden><img id="preview-img" alt="The photo you chose" /></figure>
      <div class="field">
        <label for="name">Your name (optional, shown with your mosaic)</label>
        <input id="name" name="name" type="text" maxlength="64" autocomplete="nickname" />
      </div>
      <p><button type="submit" id="submit">Make my mosaic</button></p>
      <p class="error" id="upload-error" role="alert" hidden></p>
    </form>
    <section class="progress" id="progress" hidden>
      <h2>Your mosaic</h2>
      <progress id="bar" max="100"></progress>
      <p id="state" role="status" aria-live="polite"></p>
      <p id="result"></p>
    </section>
  </section>`;
}

export function wallView(hashtag: string, qrSvg: string): SafeHtml {
  return html`<div class="wall" id="wall">
    <figure class="wall-slide">
      <img id="wall-img" alt="" />
      <figcaption id="wall-caption"></figcaption>
    </figure>
    <p class="wall-empty" id="wall-empty" hidden>The first mosaic will show here. Post a photo with #${hashtag}!</p>
    <aside class="wall-cta">
      <div class="qr">${trusted(qrSvg)}</div>
      <p>Post a photo with <strong>#${hashtag}</strong><br />or scan to upload</p>
    </aside>
  </div>`;
}

export function adminView(on = true): SafeHtml {
  return html`<section class="admin" id="admin-page" ${on ? '' : html`data-off`}>
    <h1>Operator view</h1>
    <form id="token-form" class="token" ${on ? '' : html`hidden`}>
      <label for="token">Admin token</label>
      <input id="token" type="password" autocomplete="off" required />
      <button type="submit">Open</button>
      <button type="button" id="forget" class="secondary">Forget token</button>
    </form>
    <p id="admin-status" role="status">${on ? '' : ADMIN_OFF_TEXT}</p>
    <div id="admin" hidden>
      <div class="panels">
        <section>
          <h2>Queues</h2>
          <div class="table-scroll" tabindex="0">
            <table id="queues">
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  <th scope="col">Waiting</th>
                  <th scope="col">Dead letters</th>
                </tr>
              </thead>
              <tbody></tbody>
            </table>
          </div>
        </section>
        <section>
          <h2>Workers online</h2>
          <div class="table-scroll" tabindex="0">
            <table id="workers">
              <thead>
                <tr>
                  <th scope="col">Role</th>
                  <th scope="col">Host</th>
                  <th scope="col">PID</th>
                  <th scope="col">Since</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody></tbody>
            </table>
          </div>
        </section>
        <section>
          <h2>Library</h2>
          <dl id="library"></dl>
        </section>
      </div>
      <section>
        <h2>Requests in flight</h2>
        <ul id="inflight" class="plain"></ul>
      </section>
      <section>
        <h2>Recent failures</h2>
        <ul id="failures" class="plain"></ul>
      </section>
      <section>
        <h2>Mosaics</h2>
        <form id="unhide-form" class="inline">
          <label for="unhide-id">Unhide by id</label><input id="unhide-id" required /><button type="submit">
            Unhide
          </button>
        </form>
        <div class="table-scroll" tabindex="0">
          <table id="mosaics">
            <thead>
              <tr>
                <th scope="col">Mosaic</th>
                <th scope="col">By</th>
                <th scope="col">Made</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody></tbody>
          </table>
        </div>
      </section>
      <section id="walls-section" aria-labelledby="walls-title">
        <h2 id="walls-title">Walls</h2>
        <form id="wall-create" class="wall-create">
          <label>Title <input name="title" required maxlength="120" /></label>
          <label>Target picture <input name="target" type="file" accept="image/*" required /></label>
          <label>Columns <input name="cols" type="number" min="10" max="300" value="40" required /></label>
          <label>Hashtag (optional) <input name="hashtag" maxlength="100" placeholder="without #" /></label>
          <button type="submit">Create the wall</button>
        </form>
        <p id="wall-create-status" role="status"></p>
        <div class="table-scroll" tabindex="0">
          <table id="walls">
            <thead>
              <tr>
                <th scope="col">Wall</th>
                <th scope="col">State</th>
                <th scope="col">Photos</th>
                <th scope="col">Pages</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody></tbody>
          </table>
        </div>
        <h3>Latest photos on the walls</h3>
        <ul id="wall-recent" class="plain wall-recent"></ul>
        <div id="wall-prints"></div>
      </section>
    </div>
  </section>`;
}
