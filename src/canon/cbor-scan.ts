/**
 * A structural check of DAG-CBOR bytes that names the first rule broken and
 * the byte offset where it happens. It runs before decoding so a person gets
 * "map keys out of order at byte 5" instead of a generic mismatch; the decode
 * and re-encode comparison in cbor.ts remains the final proof.
 *
 * Rules (DAG-CBOR spec, plus one JavaScript-imposed rule marked *):
 *   - every head is minimal; no indefinite lengths; no reserved additional info
 *   - text strings are valid UTF-8
 *   - map keys are text strings, unique, sorted by length then bytewise
 *   - the only tag is 42 (a CID: a byte string starting 0x00)
 *   - simple values: false, true, null only (no undefined, no simple(n))
 *   - floats are float64, never NaN or an infinity
 *   - * a float64 may not hold a safe integer (|v| <= 2^53 - 1, or -0): the
 *     encoder writes such numbers as integers, so they cannot round-trip
 *   - exactly one item, nothing after it
 */
import { decodeUtf8 } from '../core/bytes';

/** Deeper nesting is refused rather than risking the call stack. */
export const MAX_CBOR_DEPTH = 512;

export interface CborViolation {
  /** Byte offset of the offending head. */
  readonly offset: number;
  readonly message: string;
}

const CID_TAG = 42;

/** Returns the first DAG-CBOR rule `bytes` break, or undefined if the structure is canonical. */
export function scanDagCbor(bytes: Uint8Array): CborViolation | undefined {
  return scanForDecode(bytes).violation;
}

export interface DecodeScan {
  readonly violation?: CborViolation;
  /**
   * The bytes hold something the decoder may not give back byte for byte: a
   * CID (tag 42, whose inner encoding the CID parser reads leniently) or a
   * text string that starts with U+FEFF (which the decoder drops as a byte
   * order mark). Only then must decoding prove itself by re-encoding; every
   * other structure the scan passes decodes to exactly its bytes
   * (test/canon/cbor.test.ts checks this on mutated encodings).
   */
  readonly reencode: boolean;
}

export function scanForDecode(bytes: Uint8Array): DecodeScan {
  const r = readDagCbor(bytes);
  return r.violation ? { violation: r.violation, reencode: true } : { reencode: r.reencode };
}

/**
 * The scan and the decode in one pass: the rules above checked item by item
 * (the same order, offsets and messages as scanForDecode, which is this
 * without the value) while the value is built the way @ipld/dag-cbor builds
 * it: integers as numbers up to 2^53 - 1 in magnitude and as BigInts beyond,
 * byte strings as plain Uint8Array copies, maps as plain objects (a
 * `__proto__` key an own property), floats as numbers. `value` is absent
 * when `reencode` is set (a CID or a string behind U+FEFF): those bytes go
 * through the decoder and the re-encode proof (cbor.ts).
 */
export interface DagCborRead extends DecodeScan {
  readonly value?: unknown;
}

export function readDagCbor(bytes: Uint8Array): DagCborRead {
  // A plain view, so that byte strings copy into plain Uint8Arrays whatever the caller passed (git hands out Buffers).
  const reader = new Reader(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  try {
    const value = reader.item(0);
    const end = reader.pos;
    if (end < bytes.length) {
      return { violation: { offset: end, message: `${bytes.length - end} byte(s) follow the item, which ends at offset ${end}` }, reencode: true };
    }
    return reader.reencode ? { reencode: true } : { value, reencode: false };
  } catch (e) {
    if (e instanceof ScanStop) return { violation: { offset: e.offset, message: e.message }, reencode: true };
    throw e;
  }
}

class ScanStop {
  constructor(readonly offset: number, readonly message: string) {}
}

/** ASCII text this short is built character by character; longer text through TextDecoder. */
const SHORT_TEXT = 16;
/** ASCII text up to this length is taken from TEXT_CACHE when there (an envelope's keys and most of its values repeat from event to event). */
const CACHED_TEXT = 80;
/**
 * Recently decoded ASCII strings, one per slot by a hash of their bytes. A
 * hit is a string of exactly those bytes, so what a decode returns never
 * depends on what was decoded before; only how much it allocates does.
 */
// eslint-disable-next-line no-restricted-syntax -- module state allowed: a bounded cache of a pure conversion (bytes to the same string); a hit is checked byte for byte
const TEXT_CACHE: (string | undefined)[] = new Array<string | undefined>(512).fill(undefined);

function sameAscii(s: string, b: Uint8Array, start: number, len: number): boolean {
  if (s.length !== len) return false;
  for (let i = 0; i < len; i++) if (s.charCodeAt(i) !== b[start + i]) return false;
  return true;
}

function asciiText(b: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i] as number);
  return s;
}

class Reader {
  /** See DecodeScan.reencode. */
  reencode = false;
  /** The offset just after the last head or item read. */
  pos = 0;
  /** The last head read (fields, not an object per head: most of a small item's cost was allocating them). */
  private major = 0;
  private info = 0;
  /**
   * The head's argument: a count, a length or an integer value, as a number
   * (plain arithmetic). Exact up to 2^53; beyond, only ever compared with
   * lengths it exceeds anyway, and values and messages use the exact bytes
   * (exactArg).
   */
  private arg = 0;

  constructor(private readonly b: Uint8Array) {}

  /** Checks the item at `at`, leaves `pos` after it and returns its value. */
  item(at: number, depth = 0): unknown {
    if (depth > MAX_CBOR_DEPTH) throw new ScanStop(at, `items are nested more than ${MAX_CBOR_DEPTH} levels deep`);
    this.head(at);
    const next = this.pos;
    switch (this.major) {
      case 0:
        return this.info === 27 && this.arg > Number.MAX_SAFE_INTEGER ? this.exactArg(at) : this.arg;
      case 1:
        // As the decoder: -1 - n, a BigInt once that passes -(2^53 - 1).
        return this.info === 27 && this.arg >= Number.MAX_SAFE_INTEGER ? -1n - this.exactArg(at) : -1 - this.arg;
      case 2: {
        const end = this.skip(at, 'byte string');
        return this.b.slice(next, end);
      }
      case 3:
        return this.text(at, next, this.skip(at, 'text string'));
      case 4: {
        const n = this.arg;
        const out: unknown[] = [];
        for (let i = 0; i < n; i++) out.push(this.item(this.pos, depth + 1));
        return out;
      }
      case 5:
        return this.map(depth);
      case 6:
        return this.tag(at, depth);
      default:
        return this.simple(at);
    }
  }

  /** The text string whose bytes run from `start` to `end`; `at` is its head. */
  private text(at: number, start: number, end: number): string {
    const b = this.b;
    const len = end - start;
    if (len <= CACHED_TEXT) {
      // ASCII (valid UTF-8 as it is) is looked up in the cache of recent strings, by a hash of its bytes.
      let h = len;
      let i = start;
      for (; i < end; i++) {
        const c = b[i] as number;
        if (c >= 0x80) break;
        h = (Math.imul(h, 31) + c) | 0;
      }
      if (i === end) {
        const slot = h & (TEXT_CACHE.length - 1);
        const have = TEXT_CACHE[slot];
        if (have !== undefined && sameAscii(have, b, start, len)) return have;
        const made = len < SHORT_TEXT ? asciiText(b, start, end) : (decodeUtf8(b.subarray(start, end)) as string);
        TEXT_CACHE[slot] = made;
        return made;
      }
    }
    const s = decodeUtf8(b.subarray(start, end));
    if (s === undefined) throw new ScanStop(at, 'a text string is not valid UTF-8');
    if (end - start >= 3 && b[start] === 0xef && b[start + 1] === 0xbb && b[start + 2] === 0xbf) this.reencode = true;
    return s;
  }

  private map(depth: number): Record<string, unknown> {
    const n = this.arg;
    const out: Record<string, unknown> = {};
    let p = this.pos;
    let prevStart = -1;
    let prevEnd = -1;
    for (let i = 0; i < n; i++) {
      const keyAt = p;
      this.head(p);
      if (this.major !== 3) throw new ScanStop(keyAt, `a map key is ${KIND[this.major]}; DAG-CBOR map keys are text strings`);
      const keyStart = this.pos;
      const key = this.item(p, depth + 1) as string;
      const keyEnd = this.pos;
      if (prevStart >= 0) {
        const order = compareKeys(this.b, prevStart, prevEnd, keyStart, keyEnd);
        if (order === 0) throw new ScanStop(keyAt, `a map has the key ${show(this.b.subarray(keyStart, keyEnd))} twice`);
        if (order > 0) throw new ScanStop(keyAt, `map keys are out of order: ${show(this.b.subarray(keyStart, keyEnd))} comes after ${show(this.b.subarray(prevStart, prevEnd))}; keys sort by length, then bytewise`);
      }
      prevStart = keyStart;
      prevEnd = keyEnd;
      const value = this.item(keyEnd, depth + 1);
      p = this.pos;
      // As the decoder: a plain assignment would set the object's prototype instead of adding the key.
      if (key === '__proto__') Object.defineProperty(out, key, { value, configurable: true, enumerable: true, writable: true });
      else out[key] = value;
    }
    this.pos = p;
    return out;
  }

  /** A CID: checked like any item, its value left to the decoder (reencode). */
  private tag(at: number, depth: number): undefined {
    if (this.arg !== CID_TAG) throw new ScanStop(at, `tag ${this.exactArg(at)} is not allowed; DAG-CBOR allows only tag 42 (a CID)`);
    const inner = this.pos;
    this.head(inner);
    // Typed afresh: TypeScript keeps `this.arg` narrowed to 42 across the call above.
    const length: number = this.arg;
    if (this.major !== 2) throw new ScanStop(inner, `tag 42 must wrap a byte string, found ${KIND[this.major]}`);
    if (length === 0 || this.b[this.pos] !== 0x00) throw new ScanStop(inner, 'a CID (tag 42) must start with the 0x00 multibase prefix');
    this.reencode = true;
    this.item(inner, depth + 1);
    return undefined;
  }

  private simple(at: number): boolean | null | number {
    switch (this.info) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        throw new ScanStop(at, 'undefined is not in the DAG-CBOR data model');
      case 25:
        throw new ScanStop(at, 'a float16 appears; DAG-CBOR floats are always float64');
      case 26:
        throw new ScanStop(at, 'a float32 appears; DAG-CBOR floats are always float64');
      case 27: {
        const v = new DataView(this.b.buffer, this.b.byteOffset + at + 1, 8).getFloat64(0);
        if (Number.isNaN(v)) throw new ScanStop(at, 'NaN is not allowed in DAG-CBOR');
        if (!Number.isFinite(v)) throw new ScanStop(at, `${v} is not allowed in DAG-CBOR`);
        if (Number.isSafeInteger(v)) {
          throw new ScanStop(at, `a float64 holds the integer ${Object.is(v, -0) ? '-0' : v}; integral values up to 2^53 are encoded as integers`);
        }
        return v;
      }
      case 31:
        throw new ScanStop(at, 'a "break" byte (0xff) appears outside an indefinite-length item');
      default:
        throw new ScanStop(at, `simple value ${this.info === 24 ? this.b[at + 1] : this.info} is not allowed; DAG-CBOR has only false, true and null`);
    }
  }

  /** The end of the payload of the string head just read at `at`; `pos` moves there. */
  private skip(at: number, what: string): number {
    const end = this.pos + this.arg;
    if (end > this.b.length) throw new ScanStop(at, `a ${what} of ${this.exactArg(at)} bytes runs past the end of the input`);
    this.pos = end;
    return end;
  }

  /** The argument of the head at `at`, exactly (for 64-bit integers and messages). */
  private exactArg(at: number): bigint {
    const info = (this.b[at] as number) & 0x1f;
    if (info < 24) return BigInt(info);
    let arg = 0n;
    for (let i = 1; i <= 1 << (info - 24); i++) arg = (arg << 8n) | BigInt(this.b[at + i] as number);
    return arg;
  }

  /** Reads the head at `at` into major, info and arg, and `pos` after it. */
  private head(at: number): void {
    const b = this.b;
    const first = b[at];
    if (first === undefined) throw new ScanStop(at, 'the input ends where an item should start');
    const major = first >> 5;
    const info = first & 0x1f;
    this.major = major;
    this.info = info;
    if (info < 24) {
      this.arg = info;
      this.pos = at + 1;
      return;
    }
    if (info === 31) {
      if (major === 7) {
        this.arg = 0;
        this.pos = at + 1;
        return;
      }
      if (major >= 2 && major <= 5) throw new ScanStop(at, `an indefinite-length ${KIND[major]} appears; DAG-CBOR lengths are always definite`);
      throw new ScanStop(at, `additional information 31 is not well-formed for ${KIND[major]}`);
    }
    if (info > 27) throw new ScanStop(at, `reserved additional information ${info} in the head byte 0x${first.toString(16)}`);
    const size = 1 << (info - 24);
    if (at + 1 + size > b.length) throw new ScanStop(at, 'the input ends inside an item head');
    this.pos = at + 1 + size;
    if (major === 7) {
      this.arg = 0;
      return;
    }
    let arg: number;
    let minimal: boolean;
    if (size === 1) {
      arg = b[at + 1] as number;
      minimal = arg >= 24;
    } else if (size === 2) {
      arg = ((b[at + 1] as number) << 8) | (b[at + 2] as number);
      minimal = arg >= 0x100;
    } else if (size === 4) {
      arg = word(b, at + 1);
      minimal = arg >= 0x10000;
    } else {
      const high = word(b, at + 1);
      arg = high * 2 ** 32 + word(b, at + 5);
      minimal = high !== 0;
    }
    if (!minimal) throw new ScanStop(at, `${KIND[major]} head uses ${size + 1} bytes for ${arg}; DAG-CBOR requires the shortest form`);
    this.arg = arg;
  }
}

/** The big-endian 32-bit word at `i`. */
function word(b: Uint8Array, i: number): number {
  return (((b[i] as number) << 24) >>> 0) + (((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number));
}

/** DAG-CBOR key order of the keys at a..aEnd and c..cEnd of `b`: shorter first, then bytewise. */
function compareKeys(b: Uint8Array, a: number, aEnd: number, c: number, cEnd: number): number {
  if (aEnd - a !== cEnd - c) return aEnd - a - (cEnd - c);
  for (let i = 0; i < aEnd - a; i++) {
    const d = (b[a + i] as number) - (b[c + i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

function show(key: Uint8Array): string {
  const s = decodeUtf8(key) ?? '?';
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);
}

const KIND = ['an unsigned integer', 'a negative integer', 'a byte string', 'a text string', 'an array', 'a map', 'a tag', 'a simple value or float'] as const;
