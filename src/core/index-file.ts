import { INDEX_LAYOUT, type IndexParts } from './search.js';

/**
 * A built search index as bytes, so a process that makes one mosaic can load it instead of
 * building it (about 100 ms for 10,000 tiles in a fresh process, 2 ms to read back).
 *
 * Layout: "MMIDX\n", a 4-byte little-endian length, a JSON description (what the index was built
 * from, and each array's name, type and length), zero padding to a multiple of 8, then the arrays
 * one after another, each padded to a multiple of 8. The description names the features it was
 * built from (`key`, chosen by the caller: say a library's generation, tile count and a hash of
 * its features) and the index layout of this build, so a stale or foreign file is refused.
 */

const MAGIC = 'MMIDX\n';

const ARRAY_NAMES = ['perm', 'vecs', 'head', 'tail', 'order', 'dim', 'split', 'left', 'right', 'lo', 'hi'] as const;
type ArrayName = (typeof ARRAY_NAMES)[number];
type Description = {
  layout: string;
  key: string;
  /** hashWords of the arrays, in order: a file damaged in place is refused, not searched. */
  check: string;
  count: number;
  dims: number;
  grid: number;
  weights: number[];
  arrays: { name: ArrayName; type: 'f32' | 'i32'; length: number }[];
};

const pad8 = (n: number) => (n + 7) & ~7;

function arraysOf(p: IndexParts): Record<ArrayName, Float32Array | Int32Array> {
  const t = p.tree;
  return {
    perm: p.perm,
    vecs: p.vecs,
    head: p.head,
    tail: p.tail,
    order: p.order,
    dim: t.dim,
    split: t.split,
    left: t.left,
    right: t.right,
    lo: t.lo,
    hi: t.hi,
  };
}

/** The bytes of an index, as a list of chunks to write one after another. */
export function indexBytes(parts: IndexParts, key: string): Uint8Array[] {
  const arrays = arraysOf(parts);
  const description: Description = {
    layout: INDEX_LAYOUT,
    key,
    check: hashWords(Object.values(arrays)),
    count: parts.count,
    dims: parts.dims,
    grid: parts.grid,
    weights: [...parts.weights],
    arrays: (Object.keys(arrays) as ArrayName[]).map((name) => ({
      name,
      type: arrays[name] instanceof Float32Array ? 'f32' : 'i32',
      length: arrays[name].length,
    })),
  };
  const json = new TextEncoder().encode(JSON.stringify(description));
  const head = new Uint8Array(pad8(MAGIC.length + 4 + json.length));
  head.set(new TextEncoder().encode(MAGIC));
  new DataView(head.buffer).setUint32(MAGIC.length, json.length, true);
  head.set(json, MAGIC.length + 4);
  const chunks: Uint8Array[] = [head];
  for (const a of description.arrays) {
    const arr = arrays[a.name];
    chunks.push(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    const gap = pad8(arr.byteLength) - arr.byteLength;
    if (gap > 0) chunks.push(new Uint8Array(gap));
  }
  return chunks;
}

/**
 * The index in `bytes` (views on them, not copies: pass bytes on shared memory to hand the index
 * to worker threads), or undefined when they are not an index of this layout built for `key`.
 */
export function indexFromBytes(bytes: Uint8Array, key: string): IndexParts | undefined {
  if (bytes.byteOffset % 8 !== 0 || bytes.length < MAGIC.length + 4) return undefined;
  if (new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) return undefined;
  const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  if (MAGIC.length + 4 + len > bytes.length) return undefined;
  let d: Description;
  try {
    d = JSON.parse(new TextDecoder().decode(bytes.subarray(MAGIC.length + 4, MAGIC.length + 4 + len))) as Description;
  } catch {
    return undefined;
  }
  if (d.layout !== INDEX_LAYOUT || d.key !== key || !Array.isArray(d.arrays) || !Array.isArray(d.weights)) {
    return undefined;
  }
  const views = new Map<string, Float32Array | Int32Array>();
  let at = pad8(MAGIC.length + 4 + len);
  for (const a of d.arrays) {
    if (!Number.isInteger(a.length) || a.length < 0 || at + a.length * 4 > bytes.length) return undefined;
    const where = bytes.byteOffset + at;
    views.set(
      a.name,
      a.type === 'f32'
        ? new Float32Array(bytes.buffer, where, a.length)
        : new Int32Array(bytes.buffer, where, a.length),
    );
    at += pad8(a.length * 4);
  }
  if (hashWords([...views.values()]) !== d.check) return undefined;
  const f = (name: ArrayName) => views.get(name) as Float32Array;
  const i = (name: ArrayName) => views.get(name) as Int32Array;
  if (
    !ARRAY_NAMES.every((n) => views.has(n)) ||
    i('order').length !== d.count ||
    f('vecs').length !== d.count * d.dims
  ) {
    return undefined;
  }
  return {
    count: d.count,
    dims: d.dims,
    grid: d.grid,
    weights: Float64Array.from(d.weights),
    perm: i('perm'),
    vecs: f('vecs'),
    head: f('head'),
    tail: f('tail'),
    order: i('order'),
    tree: { dim: i('dim'), split: f('split'), left: i('left'), right: i('right'), lo: i('lo'), hi: i('hi') },
  };
}

/** A 32-bit FNV-1a hash of the bits of 32-bit arrays, as hex. */
function hashWords(arrays: readonly (Float32Array | Int32Array)[]): string {
  let h = 0x811c9dc5;
  for (const a of arrays) {
    const words = new Uint32Array(a.buffer, a.byteOffset, a.length);
    for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i], 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** A hash of a float array's bits: enough to tell one library's features from another's. */
export const featureHash = (data: Float32Array): string => hashWords([data]);
