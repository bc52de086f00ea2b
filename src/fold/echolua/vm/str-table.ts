/**
 * The string keys of a big table (values.ts BIG_STRS), with Map's
 * semantics: get, set, delete, size, and iteration in insertion order.
 *
 * Why not a Map: profiled on the benchmark fold (50,000 ids from events),
 * nearly all of Map.set's time was cache misses loading each candidate key
 * string of a bucket chain to compare it, because event strings are fresh
 * objects scattered over the heap (PUC Lua compares interned pointers).
 * Here a key of at most 32 bytes is packed into int32 words held in the
 * slot itself, so finding it reads one slot and never the stored key.
 * Slots live in an Int32Array, outside the garbage-collected heap.
 *
 * A slot holds as many key words as the longest packed key so far needs
 * (2, 4 or 8): a table of ids up to 8 bytes keeps 16-byte slots, and the
 * first longer key widens every slot once, in a rebuild. The limit is 32
 * bytes (ULIDs, prefixed ids, names); longer keys go to a Map from key to
 * entry, where V8's hash cached in the string beats packing them on every
 * access.
 *
 * Keys are Lua strings, whose code units are bytes; a key with a code unit
 * above 255 (none should reach here) goes to the Map too, so packing is
 * exact for every key it handles.
 */
import type { Value } from './values';

/** The longest key packed in a slot, in bytes; longer keys go to the Map. */
export const MAX_PACKED_BYTES = 32;
const MAX_WORDS = MAX_PACKED_BYTES / 4;
/** Key words per slot before any key longer than 8 bytes arrives. */
const MIN_WORDS = 2;
/** Slot tags: EMPTY, GONE, or 1..33 for a packed key of tag - 1 bytes. */
const EMPTY = 0;
/** A deleted key's slot: probing continues past it. */
const GONE = -1;
/** What find answers for a key it cannot pack. */
const NOT_PACKED = -2;
/** What find answers for a packable key wider than the slots: absent, and set must widen first. */
const TOO_WIDE = -3;
const MIN_SLOTS = 64;

export class StrTable {
  /** Key words per slot; a slot is its tag, `words` key words, then the entry's position in kv. */
  private words = MIN_WORDS;
  private stride = MIN_WORDS + 2;
  private slots = new Int32Array(MIN_SLOTS * (MIN_WORDS + 2));
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
  private readonly key = new Int32Array(MAX_WORDS);
  private free = 0;

  get(key: string): Value {
    const p = this.find(key);
    if (p >= 0) return this.kv[(this.slots[p + this.stride - 1] as number) + 1] as Value;
    if (p !== NOT_PACKED) return undefined;
    const e = this.long?.get(key);
    return e === undefined ? undefined : (this.kv[e + 1] as Value);
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
      if (this.kv.length > this.size * 4 + 64) this.rebuild(this.words);
      return this;
    }
    if (p >= 0) {
      this.kv[(this.slots[p + this.stride - 1] as number) + 1] = value;
      return this;
    }
    if (p === TOO_WIDE) {
      this.rebuild(wordsFor(key.length));
      // Absent still; this finds where it goes in the wider slots.
      this.find(key);
    }
    const at = this.free;
    const slots = this.slots;
    const words = this.words;
    const packed = this.key;
    const tag = this.tag;
    slots[at] = tag;
    for (let w = 0, filled = (tag + 2) >> 2; w < filled; w++) slots[at + 1 + w] = packed[w] as number;
    slots[at + 1 + words] = this.kv.length;
    this.append(key, value);
    // Keep at least half the slots EMPTY, so probes stay short.
    if (++this.used * 2 > this.mask) this.rebuild(words);
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
      e = this.slots[p + this.stride - 1] as number;
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
   * A table of the same keys, in the same order, with each value replaced by `fn(key, value)`: the slots
   * and the long-key index are copied, so no key is packed or hashed again (an LWW map's emitted view).
   */
  mapValues(fn: (key: string, value: Value) => Value): StrTable {
    const out = new StrTable();
    out.words = this.words;
    out.stride = this.stride;
    out.slots = this.slots.slice();
    out.mask = this.mask;
    out.used = this.used;
    out.size = this.size;
    if (this.long !== undefined) out.long = new Map(this.long);
    const kv = this.kv;
    // slice keeps the array packed (new Array(n) would make it holey).
    const copy = kv.slice();
    for (let e = 0; e < copy.length; e += 2) {
      const k = copy[e];
      if (k !== undefined) copy[e + 1] = fn(k as string, copy[e + 1]);
    }
    out.kv = copy;
    return out;
  }

  /**
   * The slot position holding `key`; -1 when it is not there, and then
   * `free` is the EMPTY slot where it would go and `tag` and `key` describe
   * it; TOO_WIDE when it is not there because its words do not fit the
   * slots; NOT_PACKED for a key the Map holds.
   */
  private find(key: string): number {
    const n = key.length;
    if (n > MAX_PACKED_BYTES) return NOT_PACKED;
    const words = this.words;
    if (n > words * 4) return packable(key) ? TOO_WIDE : NOT_PACKED;
    const packed = this.key;
    // Little-endian bytes in each word. Only the words the key fills are written, hashed or compared:
    // keys of one tag have one length, and a slot's words past its key are never read.
    let high = 0;
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const c0 = key.charCodeAt(i);
      const c1 = key.charCodeAt(i + 1);
      const c2 = key.charCodeAt(i + 2);
      const c3 = key.charCodeAt(i + 3);
      high |= c0 | c1 | c2 | c3;
      packed[i >> 2] = c0 | (c1 << 8) | (c2 << 16) | (c3 << 24);
    }
    let w = 0;
    for (let shift = 0; i < n; i++, shift += 8) {
      const c = key.charCodeAt(i);
      high |= c;
      w |= c << shift;
    }
    let filled = n >> 2;
    if ((n & 3) !== 0) packed[filled++] = w;
    if (high > 0xff) return NOT_PACKED;
    const tag = n + 1;
    this.tag = tag;
    const slots = this.slots;
    const mask = this.mask;
    const stride = this.stride;
    let s = hashWords(packed, 0, n) & mask;
    for (;;) {
      const p = s * stride;
      const t = slots[p] as number;
      if (t === EMPTY) {
        this.free = p;
        return -1;
      }
      if (t === tag) {
        let k = 0;
        while (k < filled && slots[p + 1 + k] === packed[k]) k++;
        if (k === filled) return p;
      }
      s = (s + 1) & mask;
    }
  }

  /**
   * New slots of `words` key words for the packed keys, and the entries
   * compacted in the same order. Slots are rehashed from their own words,
   * never reading a key.
   */
  private rebuild(words: number): void {
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
    const fromWords = this.words;
    const fromStride = this.stride;
    const stride = words + 2;
    const slots = new Int32Array(cap * stride);
    const mask = cap - 1;
    let used = 0;
    for (let q = 0; q < from.length; q += fromStride) {
      const tag = from[q] as number;
      if (tag <= 0) continue;
      let s = hashWords(from, q + 1, tag - 1) & mask;
      while (slots[s * stride] !== EMPTY) s = (s + 1) & mask;
      const p = s * stride;
      slots[p] = tag;
      for (let w = 0; w < fromWords; w++) slots[p + 1 + w] = from[q + 1 + w] as number;
      const e = from[q + fromStride - 1] as number;
      slots[p + stride - 1] = moved === undefined ? e : (moved[e >> 1] as number);
      used++;
    }
    this.kv = kv;
    this.slots = slots;
    this.mask = mask;
    this.used = used;
    this.words = words;
    this.stride = stride;
  }
}

/** Key words per slot for a key of n bytes: 2, 4 or 8, so a table widens at most twice. */
function wordsFor(n: number): number {
  let words = MIN_WORDS;
  while (words * 4 < n) words *= 2;
  return words;
}

/** Whether every code unit is a byte (the Map takes the others). */
function packable(key: string): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) > 0xff) return false;
  return true;
}

/**
 * The hash of a key of `length` bytes from its words at `at`: only the words
 * the key fills count, so a key hashes alike in narrow and wide slots.
 */
function hashWords(words: Int32Array, at: number, length: number): number {
  let h = length;
  for (let w = at, end = at + ((length + 3) >> 2); w < end; w++) {
    h = Math.imul(h ^ (words[w] as number), 0x9e3779b1);
    h = (h << 13) | (h >>> 19);
  }
  return mix(h);
}

/** A 32-bit finalizer (murmur3's): spreads packed words over the slot index bits. */
function mix(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}
