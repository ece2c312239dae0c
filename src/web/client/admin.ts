import {
  ADMIN_OFF,
  ADMIN_OFF_TEXT,
  ApiError,
  getJson,
  mosaicsPage,
  messageOf,
  type MosaicView,
  type RequestStatus,
} from './lib/api';
import { wallsPanel } from './lib/admin-walls';
import { byId, h } from './lib/dom';
import { keepTimesFresh, relativeTime, timeEl } from './lib/time';

type Overview = {
  queues: { name: string; depth: number; dead: number }[];
  workers: { role: string; host: string; pid: number; since: string; seen: string }[];
  inflight: RequestStatus[];
  failures: { id?: string; reason: string; at?: string; queue: string }[];
  library: { tiles: number; tileSize: number; addedLast24h: number; updatedAt: string; demoOnly?: boolean } | null;
  mosaics: number;
};

const TOKEN_KEY = 'mosaicme.adminToken';
const REFRESH_MS = 5000;
const form = byId<HTMLFormElement>('token-form');
const tokenInput = byId<HTMLInputElement>('token');
const status = byId('admin-status');
const panel = byId('admin');
/** Set when the server has no ADMIN_TOKEN: nothing here can work until it restarts with one. */
let off = byId('admin-page').dataset.off !== undefined;
/** Mosaics hidden from this page, so they can be brought back with one click. */
const hiddenHere = new Map<string, MosaicView>();
let timer: ReturnType<typeof setTimeout> | undefined;

const token = () => sessionStorage.getItem(TOKEN_KEY) ?? '';
const authed = (init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...init.headers, authorization: `Bearer ${token()}` },
});

const walls = wallsPanel(authed, (text) => (status.textContent = text));

const rows = (tableId: string, cells: (string | Node)[][], none: string) => {
  const body = byId(tableId).querySelector('tbody')!;
  body.replaceChildren(
    ...(cells.length
      ? cells.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))
      : [h('tr', {}, h('td', { colspan: 5, class: 'muted' }, none))]),
  );
};
const items = (listId: string, lines: Node[], none: string) =>
  byId(listId).replaceChildren(...(lines.length ? lines : [h('li', { class: 'muted' }, none)]));
const when = (iso: string | undefined) => (iso ? timeEl(iso) : '—');

function renderOverview(o: Overview): void {
  rows(
    'queues',
    o.queues.map((q) => [q.name, String(q.depth), String(q.dead)]),
    'No queues reported.',
  );
  rows(
    'workers',
    o.workers.map((w) => [w.role, w.host, String(w.pid), when(w.since), when(w.seen)]),
    'No workers online.',
  );
  items(
    'inflight',
    o.inflight.map((s) =>
      h(
        'li',
        {},
        h('code', {}, s.id),
        ` ${s.username ? `@${s.username} · ` : ''}${s.state}`,
        s.percent !== undefined ? h('progress', { max: 100, value: s.percent }) : '',
        s.percent !== undefined ? ` ${s.percent}%` : '',
      ),
    ),
    'Nothing in flight.',
  );
  items(
    'failures',
    o.failures.map((f) =>
      h('li', {}, f.id ? h('code', {}, f.id) : '', ` ${f.queue}: ${f.reason} `, f.at ? timeEl(f.at) : ''),
    ),
    'No recent failures.',
  );
  const lib = byId('library');
  lib.replaceChildren(
    ...(o.library
      ? [
          [
            'Tiles',
            `${o.library.tiles} (${o.library.tileSize} px)${o.library.demoOnly ? ' · the demo library only' : ''}`,
          ],
          ['Added in the last 24 h', String(o.library.addedLast24h)],
          ['Updated', relativeTime(o.library.updatedAt)],
          ['Mosaics in the gallery', String(o.mosaics)],
        ].flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])
      : [h('dt', {}, 'Library'), h('dd', {}, 'not reported'), h('dt', {}, 'Mosaics'), h('dd', {}, String(o.mosaics))]),
  );
}

async function moderate(m: Pick<MosaicView, 'id'> & Partial<MosaicView>, action: 'hide' | 'unhide' | 'delete') {
  if (action === 'delete' && !confirm(`Delete mosaic ${m.id} for good? This cannot be undone.`)) return;
  const url =
    action === 'delete'
      ? `/api/admin/mosaics/${encodeURIComponent(m.id)}`
      : `/api/admin/mosaics/${encodeURIComponent(m.id)}/${action}`;
  const res = await fetch(url, authed({ method: action === 'delete' ? 'DELETE' : 'POST' }));
  if (!res.ok) {
    status.textContent = `Could not ${action} ${m.id}: ${await messageOf(res)}`;
    return;
  }
  if (action === 'hide' && m.username) hiddenHere.set(m.id, m as MosaicView);
  else hiddenHere.delete(m.id);
  status.textContent = `Mosaic ${m.id}: ${action === 'delete' ? 'deleted' : action === 'hide' ? 'hidden' : 'shown again'}.`;
  await refresh();
}

function actionButton(m: MosaicView, action: 'hide' | 'unhide' | 'delete'): HTMLButtonElement {
  const b = h('button', { type: 'button', class: action === 'delete' ? 'danger' : 'secondary' }, action);
  b.setAttribute('aria-label', `${action} the mosaic by @${m.username} (${m.id})`);
  b.addEventListener('click', () => void moderate(m, action));
  return b;
}

function renderMosaics(list: MosaicView[]): void {
  const line = (m: MosaicView, hidden: boolean) => [
    // A hidden mosaic has no page and its files are not served: only its id is shown.
    hidden
      ? h('code', {}, m.id)
      : h(
          'a',
          { href: m.page_url },
          h('img', { src: m.url_small, alt: '', width: 60, height: 45, loading: 'lazy' }),
          m.id,
        ),
    `@${m.username}${hidden ? ' (hidden)' : ''}`,
    timeEl(m.date),
    h('span', { class: 'actions' }, actionButton(m, hidden ? 'unhide' : 'hide'), actionButton(m, 'delete')),
  ];
  rows(
    'mosaics',
    [...[...hiddenHere.values()].map((m) => line(m, true)), ...list.map((m) => line(m, false))],
    'No mosaics.',
  );
}

/** The operator API is off: say how to turn it on, and stop asking (every try would be refused). */
function turnedOff(): void {
  off = true;
  clearTimeout(timer);
  panel.hidden = true;
  form.hidden = true;
  status.textContent = ADMIN_OFF_TEXT;
}

async function refresh(): Promise<void> {
  clearTimeout(timer);
  if (off) return turnedOff();
  if (!token()) return;
  try {
    const [overview, page] = await Promise.all([
      getJson<Overview>('/api/admin/overview', authed()),
      mosaicsPage(1, 50),
    ]);
    panel.hidden = false;
    renderOverview(overview);
    renderMosaics(page.mosaics);
    await walls.refresh();
    timer = setTimeout(() => void refresh(), REFRESH_MS);
  } catch (e) {
    if (e instanceof ApiError && e.code === ADMIN_OFF) {
      turnedOff();
    } else if (e instanceof ApiError && e.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      panel.hidden = true;
      status.textContent = 'That token was refused. Enter the admin token again.';
      tokenInput.focus();
    } else {
      status.textContent = `The overview could not be loaded (${(e as Error).message}); trying again…`;
      timer = setTimeout(() => void refresh(), REFRESH_MS);
    }
  }
}

form.addEventListener('submit', (e) => {
  e.preventDefault();
  sessionStorage.setItem(TOKEN_KEY, tokenInput.value.trim());
  tokenInput.value = '';
  status.textContent = '';
  void refresh();
});
byId('forget').addEventListener('click', () => {
  sessionStorage.removeItem(TOKEN_KEY);
  panel.hidden = true;
  status.textContent = 'Token forgotten.';
});
byId<HTMLFormElement>('unhide-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = byId<HTMLInputElement>('unhide-id');
  void moderate({ id: input.value.trim() }, 'unhide');
  input.value = '';
});

keepTimesFresh();
void refresh();
