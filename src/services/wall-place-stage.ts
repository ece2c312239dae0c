import { PermanentError } from '../core/errors.js';
import { targetCells } from '../core/features.js';
import { cellLabel, WallPlacer } from '../core/wall/index.js';
import type { Cache, Queue, WallImaging } from '../ports.js';
import type { WallDef, WallEvent } from '../shapes/wall.js';
import type { WallReply } from './publish-stage.js';
import { decodeFeatures, WallBoard } from './wall-board.js';
import { parseJob, withOriginalFields } from './messages.js';
import type { RequestStatuses } from './requests.js';
import { WallScreen } from './wall-screen.js';
import { WallStore } from './wall-store.js';

/** The live screens' channel for one wall: each message is the log's new `seq`. */
export const wallChannel = (id: string) => `mosaic:wall:${id}`;

/** Frees a cell (moderation) or records the wall's new state, in the same queue as placements so they are in order. */
export type WallCommand = { type: 'free'; wall: string; cell: number; photo: string } | { type: 'state'; wall: string };

export type PlaceDeps = {
  queue: Queue;
  cache: Cache;
  statuses: RequestStatuses;
  imaging: WallImaging;
  store: WallStore;
  log?: (line: string) => void;
};
export type PlaceConfig = {
  /** Photos a full or closed wall refuses become ordinary mosaics here. */
  engineQueue: string;
  printQueue: string;
  /** The wall's photo page, `{wall}` and `{photo}` replaced. */
  photoUrl: string;
  /**
   * The publish stage's queue: a photo that came from a social network is answered there with
   * where it is (a finish job with a `wall` field, see publish-stage.ts). Without it, no reply.
   */
  replyQueue?: string;
};

type Loaded = { board: WallBoard; placer: WallPlacer; screen: WallScreen };

/** Each wall's target, decoded and measured: what the placer and the screen need from it. */
export async function loadTarget(deps: Pick<PlaceDeps, 'store' | 'imaging'>, wall: WallDef) {
  const bytes = await deps.store.bytes(wall.id, 'target.jpg');
  if (!bytes) throw new Error(`the target of wall ${wall.id} is missing from storage`);
  const target = await deps.imaging.read(bytes, { maxSide: 4096 });
  const cells = targetCells(target, { cols: wall.cols, rows: wall.rows, cell: 1, width: wall.cols, height: wall.rows });
  return { target, cells };
}

/**
 * The placement stage: one consumer at a time per wall (a single-active-consumer queue on
 * RabbitMQ), so placing is a plain in-memory decision. The log in storage is the commit: a photo
 * is placed once its `placed` event is written. Before each decision the board reads what the log
 * gained meanwhile (another process was active before a failover), and a photo the log already
 * knows is not placed again: only the steps after the commit are redone (screen tiles, print,
 * status), which are all idempotent. A full or closed wall refuses the photo, which then becomes
 * an ordinary gallery mosaic.
 */
export function wallPlaceStage(deps: PlaceDeps, cfg: PlaceConfig) {
  const loaded = new Map<string, Promise<Loaded>>();
  const load = (wall: WallDef): Promise<Loaded> => {
    let p = loaded.get(wall.id);
    if (!p) {
      p = (async () => {
        const { target, cells } = await loadTarget(deps, wall);
        const placer = new WallPlacer(cells.features);
        const board = await WallBoard.load(deps.store, wall, placer);
        return { board, placer, screen: new WallScreen(deps, wall, target, cells.means) };
      })();
      p.catch(() => loaded.delete(wall.id));
      loaded.set(wall.id, p);
    }
    return p;
  };

  const commit = async (l: Loaded, event: WallEvent) => {
    await deps.store.append(l.board.wall.id, event);
    l.board.apply(event);
    await l.board.maybeSnapshot(deps.store);
  };
  const notify = (id: string, seq: number) => deps.cache.publish(wallChannel(id), String(seq)).catch(() => {});

  return async (message: unknown): Promise<void> => {
    const m = message as { type?: unknown; wall?: unknown };
    const wall = await deps.store.require(typeof m?.wall === 'string' ? m.wall : '');
    const l = await load(wall);
    await l.board.catchUp(deps.store);
    const at = new Date().toISOString();
    if (l.board.state !== wall.state) {
      await commit(l, { seq: l.board.seq + 1, type: 'state', state: wall.state, at });
      await notify(wall.id, l.board.seq);
    }
    if (m.type === 'free') {
      const cmd = message as Extract<WallCommand, { type: 'free' }>;
      const held = l.board.cells[cmd.cell];
      if (held && held.photo === cmd.photo) {
        await commit(l, {
          seq: l.board.seq + 1,
          type: 'freed',
          cell: cmd.cell,
          label: held.label,
          photo: held.photo,
          at,
        });
        deps.log?.(`wall ${wall.id}: ${held.label} freed (photo ${held.photo} removed)`);
        await deps.store.setState(wall.id, ['full'], 'open');
      }
      if (held) await l.screen.update(cmd.cell, l.board.cells);
      await notify(wall.id, l.board.seq);
      return;
    }
    if (m.type === 'state') return;
    if (m.type !== 'place') throw new PermanentError('INVALID_MESSAGE', 'malformed wall message: unknown type');
    const job = parseJob(message, 'wall placement');
    const features = decodeFeatures(String((message as { features?: unknown }).features ?? ''));
    if (features.length !== l.placer.dims)
      throw new PermanentError(
        'INVALID_MESSAGE',
        `malformed wall placement: ${features.length} features, not ${l.placer.dims}`,
      );

    let outcome = l.board.outcomes.get(job.id);
    if (!outcome) {
      const choice = wall.state === 'open' ? l.placer.choose(features) : undefined;
      if (choice) {
        const name = job.displayname ?? job.username;
        await commit(l, {
          seq: l.board.seq + 1,
          type: 'placed',
          cell: choice.cell,
          label: cellLabel(choice.cell, wall.cols),
          photo: job.id,
          ...(name ? { name } : {}),
          ...(job.network ? { network: job.network } : {}),
          cost: Math.round(choice.cost),
          at,
          features: String((message as { features: string }).features),
        });
        if (l.placer.freeCells === 0) await deps.store.setState(wall.id, ['open'], 'full');
        deps.log?.(`wall ${wall.id}: photo ${job.id} placed at ${cellLabel(choice.cell, wall.cols)}`);
      } else {
        await commit(l, {
          seq: l.board.seq + 1,
          type: 'refused',
          photo: job.id,
          reason: wall.state === 'closed' ? 'closed' : 'full',
          at,
        });
        await deps.store.setState(wall.id, ['open'], 'full');
      }
      outcome = l.board.outcomes.get(job.id)!;
    }
    if ('refused' in outcome) {
      // Not lost: the photo becomes an ordinary mosaic in the gallery.
      const { wall: _w, features: _f, type: _t, ...rest } = message as Record<string, unknown>;
      await deps.queue.send(
        cfg.engineQueue,
        withOriginalFields({ ...(rest as { id: string }), id: job.id, key: job.key }),
      );
      await deps.statuses.set(job.id, {
        state: 'queued',
        username: job.username,
        wall: { id: wall.id, refused: outcome.refused },
      });
      await notify(wall.id, l.board.seq);
      return;
    }
    if (!('cell' in outcome)) return;
    const cell = outcome.cell;
    await l.screen.update(cell, l.board.cells);
    await notify(wall.id, l.board.seq);
    const label = cellLabel(cell, wall.cols);
    const url = cfg.photoUrl.replace('{wall}', wall.id).replace('{photo}', encodeURIComponent(job.id));
    await deps.statuses.set(job.id, { state: 'done', username: job.username, wall: { id: wall.id, cell, label, url } });
    await deps.queue.send(cfg.printQueue, { wall: wall.id, photo: job.id });
    // Only social requesters are answered (an upload's guest sees the status page); a redone step
    // sends it again, and the publish stage's markers keep it to one reply.
    if (cfg.replyQueue && job.network) {
      const { wall: _w, key: _k, ...requester } = job;
      await deps.queue.send(cfg.replyQueue, {
        ...requester,
        key: deps.store.key(wall.id, `photos/${job.id}.jpg`),
        wall: { id: wall.id, title: wall.title, cell, label, url } satisfies WallReply,
      });
    }
  };
}
