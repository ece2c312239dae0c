import { ApiError, getJson, type RequestStatus } from './lib/api';
import { byId, h } from './lib/dom';
import { geometryOf, startVersions, WallViewer, type WallDetail } from './lib/wall-viewer';

const root = byId('wall-photo');
const geo = geometryOf(root);
const photo = root.dataset.photo ?? '';
const state = byId('wall-photo-state');
const box = byId('wall-found-box');
const label = byId('wall-label');
const img = byId<HTMLImageElement>('wall-photo-img');
const links = byId('wall-photo-links');
const viewerEl = byId('wall-viewer');
const wallPath = `/walls/${encodeURIComponent(geo.id)}`;

const POLL_MS = 2000;
const REFUSED = {
  full: 'The wall was already full when your photo arrived',
  closed: 'The wall had closed when your photo arrived',
} as const;

const say = (text: string) => (state.textContent = text);

/** The photo is in its cell: say where, and show the wall with the cell marked. */
async function showPlaced(cell: number, cellLabel: string): Promise<void> {
  const wall = await getJson<WallDetail>(`/api/walls/${encodeURIComponent(geo.id)}`);
  if (wall.cells.find((p) => p.cell === cell)?.photo !== photo) {
    say('Your photo is no longer on the wall.');
    return;
  }
  say('Found it!');
  label.textContent = cellLabel;
  img.src = `${wallPath}/photos/${encodeURIComponent(photo)}.jpg`;
  box.hidden = false;
  links.replaceChildren(
    h('a', { class: 'button', href: `${wallPath}?photo=${encodeURIComponent(photo)}` }, 'See it on the live wall'),
  );
  viewerEl.hidden = false;
  const view = new WallViewer(viewerEl, geo, { navigator: true });
  startVersions(view, wall);
  view.whenOpen(() => {
    view.highlight([{ cell, label: cellLabel }]);
    view.zoomTo([cell], true);
  });
}

/** Where the photo is on its way; true once there is nothing more to wait for. */
function show(s: RequestStatus): boolean | Promise<boolean> {
  const w = s.wall;
  if (w?.cell !== undefined && w.label) return showPlaced(w.cell, w.label).then(() => true);
  if (s.state === 'failed') {
    say(`Your photo could not be used: ${s.reason ?? 'no reason was given'}.`);
    return true;
  }
  const refused = w?.refused ? REFUSED[w.refused] : undefined;
  // Refused photos go on as ordinary mosaics, whose statuses no longer name the wall.
  if (refused || s.state !== 'queued') {
    const why = refused ?? 'Your photo did not go on the wall';
    if (s.state !== 'done') {
      say(`${why}, so it is becoming a mosaic of its own… this takes a minute.`);
      return false;
    }
    say(`${why}, so it became a mosaic of its own.`);
    links.replaceChildren(
      h('a', { class: 'button', href: `/mosaics/${encodeURIComponent(photo)}` }, 'See your mosaic'),
    );
    return true;
  }
  say('Your photo is on its way to the wall: finding the best place for it…');
  return false;
}

async function poll(): Promise<void> {
  try {
    const s = await getJson<RequestStatus>(`/api/requests/${encodeURIComponent(photo)}`);
    if (await show(s)) return;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) {
      say('We cannot find this photo. Was the link complete?');
      return;
    }
    say('MosaicMe could not be reached just now; trying again…');
  }
  setTimeout(() => void poll(), POLL_MS);
}

void poll();
