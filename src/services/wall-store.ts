import { randomBytes } from 'node:crypto';
import { PermanentError } from '../core/errors.js';
import { getJson } from '../adapters/storage/json.js';
import type { Storage } from '../ports.js';
import type { WallDef, WallEvent } from '../shapes/wall.js';

const ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
const pad = (seq: number) => String(seq).padStart(9, '0');

/** A new wall id: the title's first words as a slug and a random suffix, so links are readable yet unguessable enough. */
export function newWallId(title: string): string {
  const slug = title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 24)
    .replace(/-+$/, '');
  return `${slug || 'wall'}-${randomBytes(3).toString('hex')}`;
}

/**
 * Where walls live, in the input bucket under `walls/<id>/`:
 *
 *   wall.json              the definition and its state (open, full, closed)
 *   target.jpg             the target picture
 *   log/<seq>.json         the placement log: every placement, refusal and freed cell, in order
 *   photos/<photo>.jpg     each photo, smart-cropped square at the sticker's size, not toned
 *   screen/<l>/<x>_<y>.jpg the live screen's Deep Zoom tiles that photos have changed
 *   prints/<photo>-*.jpg   stickers and takeaway prints; prints/<photo>.json their print status
 *
 * The log is the truth: a wall's cells are what replaying it gives, so any process can rebuild
 * them, and only the placement stage (one at a time per wall) appends to it.
 */
export class WallStore {
  constructor(
    private readonly storage: Storage,
    readonly bucket: string,
  ) {}

  static checkId(id: string): string {
    if (!ID.test(id)) throw new PermanentError('WALL_NOT_FOUND', `there is no wall ${JSON.stringify(id.slice(0, 70))}`);
    return id;
  }

  key(id: string, rest: string): string {
    return `walls/${WallStore.checkId(id)}/${rest}`;
  }

  async get(id: string): Promise<WallDef | undefined> {
    if (!ID.test(id)) return undefined;
    return getJson<WallDef>(this.storage, this.bucket, this.key(id, 'wall.json'));
  }

  /** The wall, or a WALL_NOT_FOUND error naming it. */
  async require(id: string): Promise<WallDef> {
    const wall = await this.get(id);
    if (!wall) throw new PermanentError('WALL_NOT_FOUND', `there is no wall ${JSON.stringify(id.slice(0, 70))}`);
    return wall;
  }

  async save(wall: WallDef): Promise<void> {
    await this.putJson(wall.id, 'wall.json', wall);
  }

  /**
   * Moves the wall to `to` if it is in one of `from`, reading it fresh: the placement stage marks
   * a wall full (or open again) without undoing an operator's close made meanwhile.
   */
  async setState(id: string, from: readonly WallDef['state'][], to: WallDef['state']): Promise<void> {
    const wall = await this.require(id);
    if (from.includes(wall.state) && wall.state !== to) await this.save({ ...wall, state: to });
  }

  async list(): Promise<WallDef[]> {
    const walls: WallDef[] = [];
    for await (const o of this.storage.list(this.bucket, 'walls/')) {
      if (!o.key.endsWith('/wall.json') || o.key.split('/').length !== 3) continue;
      const wall = await getJson<WallDef>(this.storage, this.bucket, o.key);
      if (wall) walls.push(wall);
    }
    return walls.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  async putJson(id: string, rest: string, value: unknown): Promise<void> {
    await this.storage.put(this.bucket, this.key(id, rest), Buffer.from(JSON.stringify(value)), {
      contentType: 'application/json',
    });
  }

  getJson<T>(id: string, rest: string): Promise<T | undefined> {
    return getJson<T>(this.storage, this.bucket, this.key(id, rest));
  }

  put(id: string, rest: string, body: Uint8Array, contentType = 'image/jpeg'): Promise<void> {
    return this.storage.put(this.bucket, this.key(id, rest), body, { contentType });
  }

  get bytes() {
    return (id: string, rest: string) => this.storage.get(this.bucket, this.key(id, rest));
  }

  /** The keys (after `walls/<id>/`) of the wall's objects under `prefix`, in key order. */
  async *keys(id: string, prefix: string): AsyncIterable<string> {
    const base = this.key(id, '');
    for await (const o of this.storage.list(this.bucket, base + prefix)) yield o.key.slice(base.length);
  }

  async append(id: string, event: WallEvent): Promise<void> {
    await this.putJson(id, `log/${pad(event.seq)}.json`, event);
  }

  /** The log's events after `seq`, in order, read one by one until the first that is not there. */
  async eventsAfter(id: string, seq: number, limit = Infinity): Promise<WallEvent[]> {
    const out: WallEvent[] = [];
    for (let s = seq + 1; out.length < limit; s++) {
      const e = await this.getJson<WallEvent>(id, `log/${pad(s)}.json`);
      if (!e) break;
      out.push(e);
    }
    return out;
  }
}
