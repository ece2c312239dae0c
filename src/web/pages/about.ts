import { html, type SafeHtml } from './html.js';

const STAGES: [string, string][] = [
  [
    'Collectors and uploads',
    'Collectors watch X, Mastodon and Bluesky for posts with the hashtag; the upload page sends photos straight in. Each photo becomes a request with its own id.',
  ],
  [
    'Intake',
    'Fetches the photo (only from public addresses), checks that it really is an image of a sane size, and queues it for an engine.',
  ],
  [
    'Engine',
    'Measures the colours of every small area of your photo, finds for each the library photo that matches best (without repeating one too close by), paints the mosaic and cuts it into a Deep Zoom pyramid.',
  ],
  ['Publisher', 'Replies to you on your network with the thumbnail and a link to your mosaic’s page.'],
  [
    'Cacher',
    'Adds the mosaic to the gallery’s list and tells every open page about it, so it appears here within a moment.',
  ],
  ['Gallery', 'This site: the latest mosaics, the wall for the big screen, and deep zoom down to single photos.'],
];

export function aboutView(hashtag: string): SafeHtml {
  return html`<article class="about">
    <h1>How MosaicMe works</h1>
    <p class="lead">
      You post a photo with <strong>#${hashtag}</strong> (or <a href="/upload">upload it here</a>). Soon after, your
      photo is back, rebuilt out of hundreds of small photos, and you can zoom in until you see each one.
    </p>
    <h2>From your photo to your mosaic</h2>
    <ol class="pipeline" aria-label="The stages a photo goes through">
      ${STAGES.map(
        ([name, text]) =>
          html`<li>
            <h3>${name}</h3>
            <p>${text}</p>
          </li>`,
      )}
    </ol>
    <p>
      Between the stages, requests wait in queues. If a stage stops half way, the request waits for it to come back
      instead of getting lost, and a photo that cannot be used ends with a reason you can see on the upload page.
    </p>
    <h2>One box or many</h2>
    <div class="modes">
      <section>
        <h3>Embedded</h3>
        <p>
          At a small event everything runs in one process on one computer: the queues are folders, the gallery list
          lives in memory and the mosaics are files on disk. Start it with one command and it works.
        </p>
      </section>
      <section>
        <h3>Scale-out</h3>
        <p>
          For a busy booth each stage runs as its own process, on as many machines as needed: RabbitMQ carries the
          queues, Redis holds the gallery list and the live events, and an S3 store keeps the photos and mosaics. More
          engines make more mosaics per minute.
        </p>
      </section>
    </div>
    <h2>Your photo and your name</h2>
    <p>
      Your photo is used to make your mosaic and is shown in the gallery with the name or handle you gave. The
      organisers can hide or delete any mosaic on request.
    </p>
    <p><a class="button" href="/upload">Make your mosaic</a> <a href="/">See the gallery</a></p>
  </article>`;
}
