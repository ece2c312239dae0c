import type { Assets } from './assets.js';
import { html, type SafeHtml } from './html.js';

export type Shell = {
  title: string;
  /** The client script of the page (an entry of the front-end build), if it has one. */
  script?: string;
  body: SafeHtml;
  /** For the wall: no header or footer, the page is the slideshow. */
  bare?: boolean;
  description?: string;
  /** An absolute image URL for link previews. */
  image?: string;
};

const NAV: [string, string][] = [
  ['/', 'Gallery'],
  ['/upload', 'Make yours'],
  ['/wall', 'Wall'],
  ['/about', 'How it works'],
];

/** The HTML document around every page: styles, the page's script, the site's header and footer. */
export function layout(assets: Assets, s: Shell, current = ''): string {
  const description = s.description ?? 'MosaicMe turns your photo into a mosaic made of hundreds of small photos.';
  const doc = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${s.title}</title>
        <meta name="description" content="${description}" />
        <meta property="og:title" content="${s.title}" />
        <meta property="og:description" content="${description}" />
        ${s.image ? html`<meta property="og:image" content="${s.image}" />` : ''}
        <link rel="icon" href="/assets/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="${assets.file('styles.css')}" />
        ${s.script ? html`<script type="module" src="${assets.file(s.script)}"></script>` : ''}
      </head>
      <body class="${s.bare ? 'bare' : ''}">
        ${
          s.bare
            ? s.body
            : html`<a class="skip" href="#main">Skip to content</a>
                <header class="site">
                  <a class="brand" href="/">Mosaic<span>Me</span></a>
                  <nav aria-label="Site">
                    <ul>
                      ${NAV.map(
                        ([href, label]) =>
                          html`<li>
                            <a href="${href}" ${href === current ? html` aria-current="page"` : ''}>${label}</a>
                          </li>`,
                      )}
                    </ul>
                  </nav>
                </header>
                <main id="main">${s.body}</main>
                <footer class="site">
                  <p>MosaicMe — photomosaics from your photos. <a href="/about">How it works</a></p>
                </footer>`
        }
      </body>
    </html> `;
  return doc.text;
}
