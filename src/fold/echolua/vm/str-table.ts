/**
 * The string keys of a big table (values.ts BIG_STRS), with Map's
 * semantics: get, set, delete, size, and iteration in insertion order.
 *
 * Why not a Map: profiled on the benchmark fold (50,000 ids from events),
 * nearly all of Map.set's time was cache misses loading each candidate key
 * string of a bucket chain to compare it, because event strings are fresh
 * objects scattered over the heap (PUC Lua compares interned pointers).
 * Here a key of at most 8 bytes is packed into two int32 words held in the
 * slot itself, so finding it reads one slot line and never the stored key;
 * longer keys keep a full hash in the slot and are compared only on a hash
 * match. Slots live in an Int32Array, outside the garbage-collected heap.
 *
 * Keys are Lua strings, whose code units are bytes; a key with a code unit
 * above 255 (none should reach here) takes the long path, which compares
 * the strings themselves, so packing is exact for every key it handles.
 */
import type { Value } from './values';

/** Slot words: tag, packed bytes 0-3 (or the hash), packed bytes 4-7, entry index. */
const STRIDE = 4;
const EMPTY = 0;
/** A deleted key's slot: probing continues past it. */
const GONE = -1;
/** Tags 1..9: a packed key of tag - 1 bytes. */
const LONG = 10;
const MIN_SLOTS = 64;

export class StrTable {
  private slots = new Int32Array(MIN_SLOTS * STRIDE);
  private mask = MIN_SLOTS - 1;
  /** Slots not EMPTY (live keys and GONE). */
  private used = 0;
  /** key, value, key, value... in insertion order; a deleted entry's key and value are undefined. */
  private kv: (string | Value)[] = [];
  size = 0;

  /** The probe of the last `find`: the key's tag and words, and where an insert would go. */
  private tag = 0;
  private a = 0;
  private b = 0;
  private free = 0;

  get(key: string): Value {
    const p = this.find(key);
    return p < 0 ? undefined : (this.kv[(this.slots[p + 3] as number) + 1] as Value);
  }

  set(key: string, value: Value): this {
    const p = this.find(key);
    if (p >= 0) {
      this.kv[(this.slots[p + 3] as number) + 1] = value;
      return this;
    }
    const at = this.free;
    const slots = this.slots;
    slots[at] = this.tag;
    slots[at + 1] = this.a;
    slots[at + 2] = this.b;
    slots[at + 3] = this.kv.length;
    this.kv.push(key, value);
    this.size++;
    // Keep at least half the slots EMPTY, so probes stay short.
    if (++this.used * 2 > this.mask) this.rebuild();
    return this;
  }

  delete(key: string): boolean {
    const p = this.find(key);
    if (p < 0) return false;
    const slots = this.slots;
    const e = slots[p + 3] as number;
    slots[p] = GONE;
    this.kv[e] = undefined;
    this.kv[e + 1] = undefined;
    this.size--;
    return true;
  }

  /** Appends every key to `out`, in insertion order. */
  keysInto(out: Value[]): void {
    const kv = this.kv;
    for (let e = 0; e < kv.length; e += 2) if (kv[e] !== undefined) out.push(kv[e]);
  }

  /** Calls fn for every entry, in insertion order. */
  forEach(fn: (key: string, value: Value) => void): void {
    const kv = this.kv;
    for (let e = 0; e < kv.length; e += 2) if (kv[e] !== undefined) fn(kv[e] as string, kv[e + 1]);
  }

  /**
   * The slot position holding `key`, or -1; then `free` is the EMPTY slot
   * where it would go and tag, a and b describe it.
   */
  private find(key: string): number {
    const n = key.length;
    let a = 0;
    let b = 0;
    let tag: number;
    let h: number;
    if (n <= 8) {
      let high = 0;
      for (let i = 0; i < n && i < 4; i++) {
        const c = key.charCodeAt(i);
        high |= c;
        a |= c << (i << 3);
      }
      for (let i = 4; i < n; i++) {
        const c = key.charCodeAt(i);
        high |= c;
        b |= c << ((i - 4) << 3);
      }
      tag = n + 1;
      h = packedHash(a, b, n);
      if (high > 0xff) {
        tag = LONG;
        a = h = hashString(key);
        b = 0;
      }
    } else {
      tag = LONG;
      a = h = hashString(key);
    }
    this.tag = tag;
    this.a = a;
    this.b = b;
    const slots = this.slots;
    const mask = this.mask;
    let i = h & mask;
    for (;;) {
      const p = i * STRIDE;
      const t = slots[p] as number;
      if (t === EMPTY) {
        this.free = p;
        return -1;
      }
      if (t === tag && slots[p + 1] === a && slots[p + 2] === b && (tag !== LONG || this.kv[slots[p + 3] as number] === key)) return p;
      i = (i + 1) & mask;
    }
  }

  /**
   * New slots for the live keys, and the entries compacted in the same
   * order. Slots are rehashed from their own words, never reading a key.
   */
  private rebuild(): void {
    // At most 3/8 full afterwards, so the next rebuild is at least an eighth of the slots away.
    let cap = MIN_SLOTS;
    while (this.size * 8 > cap * 3) cap *= 2;
    const old = this.kv;
    // Entries move only when some were deleted; then `moved` maps old positions to new ones.
    let kv = old;
    let moved: Int32Array | undefined;
    if (old.length !== this.size * 2) {
      moved = new Int32Array(old.length >> 1);
      kv = [];
      for (let e = 0; e < old.length; e += 2) {
        moved[e >> 1] = kv.length;
        if (old[e] !== undefined) kv.push(old[e], old[e + 1]);
      }
    }
    const from = this.slots;
    const slots = new Int32Array(cap * STRIDE);
    const mask = cap - 1;
    for (let q = 0; q < from.length; q += STRIDE) {
      const tag = from[q] as number;
      if (tag <= 0) continue;
      const a = from[q + 1] as number;
      const b = from[q + 2] as number;
      let i = (tag === LONG ? a : packedHash(a, b, tag - 1)) & mask;
      while (slots[i * STRIDE] !== EMPTY) i = (i + 1) & mask;
      const p = i * STRIDE;
      slots[p] = tag;
      slots[p + 1] = a;
      slots[p + 2] = b;
      const e = from[q + 3] as number;
      slots[p + 3] = moved === undefined ? e : (moved[e >> 1] as number);
    }
    this.kv = kv;
    this.slots = slots;
    this.mask = mask;
    this.used = this.size;
  }
}

function packedHash(a: number, b: number, length: number): number {
  return mix(a ^ Math.imul(b, 0x9e3779b1) ^ length);
}

/** A 32-bit finalizer (murmur3's): spreads packed words over the slot index bits. */
function mix(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** FNV-1a over every code unit, then mixed: every character counts, so long keys sharing a prefix still spread. */
function hashString(s: string): number {
  let h = 0x811c9dc5 ^ s.length;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return mix(h);
}
