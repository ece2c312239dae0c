import type { PrintQueue, WallSummary } from '../../../shapes/wall';
import { ApiError, getJson, messageOf } from './api';
import { byId, h } from './dom';
import { timeEl } from './time';

type PrintJob = PrintQueue['jobs'][number];

type Shown = 'all' | 'unprinted' | 'printed';
type Kind = 'sticker' | 'takeaway';

const SELECTED_KEY = 'mosaicme.printsWall';
/** A placed photo's prints are made after it is placed: look a moment after the screen hears of it. */
const AFTER_EVENT_MS = 1500;
const SHOWN: Record<Shown, string> = { all: 'All', unprinted: 'Unprinted', printed: 'Printed' };

const api = (wall: string, rest = '') => `/api/walls/${encodeURIComponent(wall)}/prints${rest}`;
const fileUrl = (wall: string, photo: string, kind: Kind) => api(wall, `/${encodeURIComponent(photo)}/${kind}.jpg`);

type Row = { tr: HTMLTableRowElement; update(job: PrintJob): void };

/**
 * The print queue of one wall in `/admin` (`#wall-prints`): each placed photo's sticker and
 * take-home print, ticked as printed and as stuck on the board. The images are operator-only,
 * so they are fetched with the token and shown from blob URLs. Names are user input: text only.
 */
export function printsPanel(authed: (init?: RequestInit) => RequestInit, say: (text: string) => void) {
  const root = byId('wall-prints');
  let wall: Pick<WallSummary, 'id' | 'title'> | undefined;
  let shown: Shown = 'all';
  let stream: EventSource | undefined;
  let soon: ReturnType<typeof setTimeout> | undefined;
  let loading: Promise<void> | undefined;
  let again = false;
  const rows = new Map<string, Row>();
  const blobs: string[] = [];
  let body: HTMLTableSectionElement | undefined;
  let counts: HTMLElement | undefined;

  /** An operator-only image as a blob URL (freed when another wall is opened). */
  const blobOf = async (url: string): Promise<string> => {
    const res = await fetch(url, authed());
    if (!res.ok) throw new Error(await messageOf(res));
    const blobUrl = URL.createObjectURL(await res.blob());
    blobs.push(blobUrl);
    return blobUrl;
  };

  const download = (id: string, job: PrintJob, kind: Kind) => {
    const name = `${job.label}-${job.photo}-${kind}.jpg`;
    const a = h(
      'a',
      { href: fileUrl(id, job.photo, kind), download: name },
      kind === 'sticker' ? 'sticker' : 'takeaway',
    );
    a.setAttribute('aria-label', `Download the ${kind} of ${job.label}`);
    a.addEventListener('click', async (e) => {
      // A plain link would go without the token and be refused.
      e.preventDefault();
      try {
        const save = h('a', { href: await blobOf(a.href), download: name });
        document.body.append(save);
        save.click();
        save.remove();
      } catch (err) {
        say(`Could not download the ${kind} of ${job.label}: ${(err as Error).message}`);
      }
    });
    return a;
  };

  const tick = (id: string, job: PrintJob, field: 'printed' | 'onBoard', label: string) => {
    const box = h('input', { type: 'checkbox', name: field });
    box.setAttribute('aria-label', `${job.label} ${label}`);
    box.addEventListener('change', async () => {
      const want = box.checked;
      box.disabled = true;
      try {
        const res = await fetch(
          api(id, `/${encodeURIComponent(job.photo)}`),
          authed({
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ [field]: want }),
          }),
        );
        if (!res.ok) {
          box.checked = !want;
          say(`Could not mark ${job.label}: ${await messageOf(res)}`);
        } else rows.get(job.photo)?.update((await res.json()) as PrintJob);
      } finally {
        box.disabled = false;
      }
      if (wall?.id === id) void refresh();
    });
    return h('label', { class: 'inline' }, box, ` ${label}`);
  };

  const row = (id: string, job: PrintJob): Row => {
    const img = h('img', { alt: `sticker ${job.label}`, width: 48, height: 48 });
    blobOf(fileUrl(id, job.photo, 'sticker')).then(
      (src) => (img.src = src),
      () => (img.alt = 'no sticker'),
    );
    const printed = tick(id, job, 'printed', 'printed');
    const onBoard = tick(id, job, 'onBoard', 'on board');
    const note = h('span', { class: 'muted' });
    const tr = h(
      'tr',
      { 'data-photo': job.photo },
      h('td', {}, img),
      h('td', {}, h('strong', {}, job.label)),
      h('td', {}, job.name ?? h('span', { class: 'muted' }, 'no name'), note),
      h('td', {}, timeEl(job.createdAt)),
      h('td', {}, printed),
      h('td', {}, onBoard),
      h('td', {}, download(id, job, 'sticker'), ' · ', download(id, job, 'takeaway')),
    );
    const update = (j: PrintJob) => {
      const [p, b] = [printed.querySelector('input')!, onBoard.querySelector('input')!];
      if (!p.disabled) p.checked = !!j.printedAt;
      if (!b.disabled) b.checked = !!j.onBoardAt;
      p.title = j.printedAt ? `printed ${new Date(j.printedAt).toLocaleString()}` : '';
      b.title = j.onBoardAt ? `on the board since ${new Date(j.onBoardAt).toLocaleString()}` : '';
      note.textContent = j.removed ? ' (taken off the wall)' : '';
    };
    update(job);
    return { tr, update };
  };

  function open(w: Pick<WallSummary, 'id' | 'title' | 'seq'>): void {
    close();
    wall = { id: w.id, title: w.title };
    sessionStorage.setItem(SELECTED_KEY, w.id);
    const filter = h(
      'select',
      { id: 'wall-prints-state' },
      ...(Object.keys(SHOWN) as Shown[]).map((s) => h('option', { value: s, selected: s === shown }, SHOWN[s])),
    );
    filter.addEventListener('change', () => {
      shown = filter.value as Shown;
      void refresh();
    });
    const hide = h('button', { type: 'button', class: 'secondary' }, 'Hide');
    hide.setAttribute('aria-label', 'Hide the print queue');
    hide.addEventListener('click', () => {
      sessionStorage.removeItem(SELECTED_KEY);
      close();
    });
    counts = h('p', { id: 'wall-prints-counts' });
    body = h('tbody');
    const th = (text: string) => h('th', { scope: 'col' }, text);
    root.replaceChildren(
      h('h3', {}, `Print queue: ${w.title}`),
      h('div', { class: 'inline' }, h('label', { for: 'wall-prints-state' }, 'Show '), filter, ' ', hide),
      counts,
      h(
        'div',
        { class: 'table-scroll', tabindex: 0 },
        h(
          'table',
          { id: 'wall-prints-table' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              th('Sticker'),
              th('Cell'),
              th('Name'),
              th('Made'),
              th('Printed'),
              th('On board'),
              th('Download'),
            ),
          ),
          body,
        ),
      ),
    );
    // The wall's live events say when photos land; the print stage follows a moment later.
    stream = new EventSource(`/api/walls/${encodeURIComponent(w.id)}/events?after=${w.seq}`);
    const later = () => {
      clearTimeout(soon);
      soon = setTimeout(() => void refresh(), AFTER_EVENT_MS);
    };
    stream.addEventListener('placed', later);
    stream.addEventListener('freed', later);
    void refresh();
  }

  function close(): void {
    stream?.close();
    stream = undefined;
    clearTimeout(soon);
    wall = undefined;
    rows.clear();
    for (const b of blobs.splice(0)) URL.revokeObjectURL(b);
    body = counts = undefined;
    root.replaceChildren();
  }

  async function load(): Promise<void> {
    const w = wall;
    if (!w || !body || !counts) return;
    let queue: PrintQueue;
    try {
      queue = await getJson<PrintQueue>(api(w.id, `?state=${shown}`), authed());
    } catch (e) {
      // The token was refused or forgotten: the page asks for it again, and the queue comes back with it.
      if (e instanceof ApiError && e.status === 401) return close();
      say(`The print queue of “${w.title}” could not be read: ${(e as Error).message}`);
      return;
    }
    if (wall !== w) return;
    const c = queue.counts;
    counts.textContent = `${c.total} in the queue · ${c.printed} printed · ${c.onBoard} on the board`;
    const trs = queue.jobs.map((job) => {
      let r = rows.get(job.photo);
      if (!r) rows.set(job.photo, (r = row(w.id, job)));
      else r.update(job);
      return r.tr;
    });
    if (!trs.length) {
      const none = shown === 'all' ? 'No prints yet.' : `No ${SHOWN[shown].toLowerCase()} prints.`;
      body.replaceChildren(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, none)));
    } else if (trs.length !== body.children.length || trs.some((tr, i) => body!.children[i] !== tr)) {
      // Only when the rows changed: moving a row would take the focus off its checkbox.
      body.replaceChildren(...trs);
    }
  }

  /** Reads the queue again; calls while a read is on make one more read after it. */
  async function refresh(): Promise<void> {
    if (loading) {
      again = true;
      return loading;
    }
    loading = (async () => {
      do {
        again = false;
        await load();
      } while (again);
    })().finally(() => (loading = undefined));
    return loading;
  }

  /** With the walls just read: keeps the open wall (or the one opened before a reload) current. */
  async function walls(list: WallSummary[]): Promise<void> {
    const id = wall?.id ?? sessionStorage.getItem(SELECTED_KEY);
    const w = id ? list.find((x) => x.id === id) : undefined;
    if (!w) {
      if (wall) close();
      return;
    }
    if (!wall) return open(w);
    await refresh();
  }

  return { open, walls, selected: () => wall?.id };
}
