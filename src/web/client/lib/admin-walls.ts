import type { Placement, WallDef, WallSummary } from '../../../shapes/wall';
import { printsPanel } from './admin-prints';
import { getJson, messageOf } from './api';
import { byId, h } from './dom';
import { timeEl } from './time';

/** Recent photos are read from this many of the newest walls, this many each. */
const RECENT_WALLS = 5;
const RECENT_EACH = 10;
const RECENT_SHOWN = 20;

const STATE = { open: 'open', full: 'full', closed: 'closed' } as const;
const wallPath = (id: string) => `/walls/${encodeURIComponent(id)}`;

/**
 * The operator view's walls: create one, see each with its count and pages, close it, and take
 * a photo off a wall (moderation), and open a wall's print queue. Titles and names are user
 * input: text nodes only.
 */
export function wallsPanel(authed: (init?: RequestInit) => RequestInit, say: (text: string) => void) {
  const form = byId<HTMLFormElement>('wall-create');
  const created = byId('wall-create-status');
  const prints = printsPanel(authed, say);

  const send = async (what: string, url: string, init: RequestInit): Promise<boolean> => {
    const res = await fetch(url, authed(init));
    if (!res.ok) say(`Could not ${what}: ${await messageOf(res)}`);
    return res.ok;
  };

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    created.textContent = 'Creating the wall…';
    const res = await fetch('/api/walls', authed({ method: 'POST', body: new FormData(form) }));
    if (!res.ok) {
      created.textContent = `The wall was not created: ${await messageOf(res)}`;
      return;
    }
    const wall = (await res.json()) as WallDef;
    created.replaceChildren(
      `Wall “${wall.title}” is ready (${wall.cols} × ${wall.rows}): `,
      h('a', { href: wallPath(wall.id) }, 'open its screen'),
    );
    form.reset();
    await refresh();
  });

  const closeButton = (w: WallSummary) => {
    const b = h('button', { type: 'button', class: 'danger' }, 'Close');
    b.setAttribute('aria-label', `Close the wall ${w.title}`);
    b.addEventListener('click', async () => {
      if (!confirm(`Close the wall “${w.title}”? It will take no more photos.`)) return;
      if (await send(`close ${w.title}`, `/api/walls/${encodeURIComponent(w.id)}/close`, { method: 'POST' }))
        say(`Wall “${w.title}” is closed.`);
      await refresh();
    });
    return b;
  };

  const printsButton = (w: WallSummary) => {
    const b = h('button', { type: 'button', class: 'secondary' }, 'Prints');
    b.setAttribute('aria-label', `Show the print queue of ${w.title}`);
    b.addEventListener('click', () => {
      prints.open(w);
      byId('wall-prints').scrollIntoView({ block: 'nearest' });
    });
    return b;
  };

  const removeButton = (w: WallSummary, p: Placement) => {
    const b = h('button', { type: 'button', class: 'danger' }, 'Remove');
    b.setAttribute('aria-label', `Remove the photo at ${p.label} from ${w.title}`);
    b.addEventListener('click', async () => {
      if (!confirm(`Remove the photo at ${p.label} from “${w.title}”?`)) return;
      const url = `/api/walls/${encodeURIComponent(w.id)}/cells/${p.cell}?photo=${encodeURIComponent(p.photo)}`;
      if (await send(`remove the photo at ${p.label}`, url, { method: 'DELETE' }))
        say(`The photo at ${p.label} is being taken off “${w.title}”.`);
      setTimeout(() => void refresh(), 1500);
    });
    return b;
  };

  async function refresh(): Promise<void> {
    const walls = await getJson<WallSummary[]>('/api/walls');
    const body = byId('walls').querySelector('tbody')!;
    body.replaceChildren(
      ...(walls.length
        ? [...walls]
            .reverse()
            .map((w) =>
              h(
                'tr',
                {},
                h('td', {}, w.title, w.hashtag ? h('span', { class: 'muted' }, ` #${w.hashtag}`) : ''),
                h('td', {}, STATE[w.state]),
                h('td', {}, `${w.placed} / ${w.total}`),
                h(
                  'td',
                  {},
                  h('a', { href: wallPath(w.id) }, 'screen'),
                  ' · ',
                  h('a', { href: `${wallPath(w.id)}/upload` }, 'upload'),
                ),
                h(
                  'td',
                  {},
                  h('span', { class: 'actions' }, printsButton(w), w.state === 'closed' ? '' : closeButton(w)),
                ),
              ),
            )
        : [h('tr', {}, h('td', { colspan: 5, class: 'muted' }, 'No walls yet.'))]),
    );
    await prints.walls(walls);
    const newest = [...walls].reverse().slice(0, RECENT_WALLS);
    const recent = (
      await Promise.all(
        newest.map(async (w) =>
          (
            await getJson<Placement[]>(`/api/walls/${encodeURIComponent(w.id)}/recent?limit=${RECENT_EACH}`).catch(
              () => [],
            )
          ).map((p) => ({ w, p })),
        ),
      )
    )
      .flat()
      .sort((a, b) => b.p.at.localeCompare(a.p.at))
      .slice(0, RECENT_SHOWN);
    byId('wall-recent').replaceChildren(
      ...(recent.length
        ? recent.map(({ w, p }) =>
            h(
              'li',
              {},
              h('img', {
                src: `${wallPath(w.id)}/photos/${encodeURIComponent(p.photo)}.jpg`,
                alt: '',
                loading: 'lazy',
              }),
              h('strong', {}, p.label),
              ` ${p.name ?? 'no name'} · ${w.title} · `,
              timeEl(p.at),
              ' ',
              removeButton(w, p),
            ),
          )
        : [h('li', { class: 'muted' }, 'No photos on the walls yet.')]),
    );
  }

  return { refresh };
}
