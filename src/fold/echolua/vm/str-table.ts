/**
 * The string keys of a big table (values.ts BIG_STRS), with Map's
 * semantics: get, set, delete, size, and iteration in insertion order.
 *
 * Why not a Map: profiled on the benchmark fold (50,000 ids from events),
 * nearly all of Map.set's time was cache misses loading each candidate key
 * string of a bucket chain to compare it, because event strings are fresh
 * objects scattered over the heap (PUC Lua compares interned pointers).
 * Here a key of at most 8 bytes is packed into two int32 words held in the
 * slot itself, so finding it reads one slot line and never the stored key.
 * Slots live in an Int32Array, outside the garbage-collected heap. Longer
 * keys go to a Map from key to entry, as before: V8 keeps a string's hash
 * in the string, where hashing here would cost the key's length on every
 * access.
 *
 * Keys are Lua strings, whose code units are bytes; a short key with a code
 * unit above 255 (none should reach here) goes to the Map too, so packing
 * is exact for every key it handles.
 */
import type { Value } from './values';

/** Slot words: tag, packed bytes 0-3, packed bytes 4-7, the entry's position in kv. */
const STRIDE = 4;
/** Slot tags: EMPTY, GONE, or 1..9 for a packed key of tag - 1 bytes. */
const EMPTY = 0;
/** A deleted key's slot: probing continues past it. */
const GONE = -1;
/** What find answers for a key it cannot pack. */
const NOT_PACKED = -2;
const MIN_SLOTS = 64;

export class StrTable {
  private slots = new Int32Array(MIN_SLOTS * STRIDE);
  private mask = MIN_SLOTS - 1;
  /** Slots not EMPTY (live keys and GONE). */
  private used = 0;
  /** key, value, key, value... in insertion order; a deleted entry's key and value are undefined. */
  private kv: (string | Value)[] = [];
  /** Keys that are not packed, and their entry's position in kv. */
  private long: Map<string, number> | undefined = undefined;
  size = 0;

  /** The probe of the last `find`: the key's tag and words, and where an insert would go. */
  private tag = 0;
  private a = 0;
  private b = 0;
  private free = 0;

  get(key: string): Value {
    const p = this.find(key);
    if (p === NOT_PACKED) {
      const e = this.long?.get(key);
      return e === undefined ? undefined : (this.kv[e + 1] as Value);
    }
    return p < 0 ? undefined : (this.kv[(this.slots[p + 3] as number) + 1] as Value);
  }

  set(key: string, value: Value): this {
    const p = this.find(key);
    if (p === NOT_PACKED) {
      const long = (this.long ??= new Map());
      const e = long.get(key);
      if (e !== undefined) {
        this.kv[e + 1] = value;
        return this;
      }
      long.set(key, this.kv.length);
      this.append(key, value);
      // Deleted long keys leave holes that only a rebuild removes.
      if (this.kv.length > this.size * 4 + 64) this.rebuild();
      return this;
    }
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
    this.append(key, value);
    // Keep at least half the slots EMPTY, so probes stay short.
    if (++this.used * 2 > this.mask) this.rebuild();
    return this;
  }

  delete(key: string): boolean {
    const p = this.find(key);
    let e: number;
    if (p === NOT_PACKED) {
      const found = this.long?.get(key);
      if (found === undefined) return false;
      (this.long as Map<string, number>).delete(key);
      e = found;
    } else {
      if (p < 0) return false;
      e = this.slots[p + 3] as number;
      this.slots[p] = GONE;
    }
    this.kv[e] = undefined;
    this.kv[e + 1] = undefined;
    this.size--;
    return true;
  }

  private append(key: string, value: Value): void {
    this.kv.push(key, value);
    this.size++;
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
   * The slot position holding `key`; -1 when it is not there, and then
   * `free` is the EMPTY slot where it would go and tag, a and b describe
   * it; NOT_PACKED for a key the Map holds.
   */
  private find(key: string): number {
    const n = key.length;
    if (n > 8) return NOT_PACKED;
    let a = 0;
    let b = 0;
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
    if (high > 0xff) return NOT_PACKED;
    const tag = n + 1;
    this.tag = tag;
    this.a = a;
    this.b = b;
    const slots = this.slots;
    const mask = this.mask;
    let i = packedHash(a, b, n) & mask;
    for (;;) {
      const p = i * STRIDE;
      const t = slots[p] as number;
      if (t === EMPTY) {
        this.free = p;
        return -1;
      }
      if (t === tag && slots[p + 1] === a && slots[p + 2] === b) return p;
      i = (i + 1) & mask;
    }
  }

  /**
   * New slots for the packed keys, and the entries compacted in the same
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
      const long = this.long;
      if (long !== undefined) for (const [k, e] of long) long.set(k, moved[e >> 1] as number);
    }
    const from = this.slots;
    const slots = new Int32Array(cap * STRIDE);
    const mask = cap - 1;
    let used = 0;
    for (let q = 0; q < from.length; q += STRIDE) {
      const tag = from[q] as number;
      if (tag <= 0) continue;
      const a = from[q + 1] as number;
      const b = from[q + 2] as number;
      let i = packedHash(a, b, tag - 1) & mask;
      while (slots[i * STRIDE] !== EMPTY) i = (i + 1) & mask;
      const p = i * STRIDE;
      slots[p] = tag;
      slots[p + 1] = a;
      slots[p + 2] = b;
      const e = from[q + 3] as number;
      slots[p + 3] = moved === undefined ? e : (moved[e >> 1] as number);
      used++;
    }
    this.kv = kv;
    this.slots = slots;
    this.mask = mask;
    this.used = used;
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
