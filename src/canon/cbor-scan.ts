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
  const scanner = new Scanner(bytes);
  try {
    const end = scanner.item(0, 0);
    if (end < bytes.length) {
      return { violation: { offset: end, message: `${bytes.length - end} byte(s) follow the item, which ends at offset ${end}` }, reencode: true };
    }
    return { reencode: scanner.reencode };
  } catch (e) {
    if (e instanceof ScanStop) return { violation: { offset: e.offset, message: e.message }, reencode: true };
    throw e;
  }
}

class ScanStop {
  constructor(readonly offset: number, readonly message: string) {}
}

interface Head {
  readonly major: number;
  readonly info: number;
  /**
   * The argument: a count, a length or an integer value, as a number (plain
   * arithmetic: a BigInt per head was most of the scan's cost). Exact up to
   * 2^53; beyond, only ever compared with lengths it exceeds anyway, and
   * messages print the exact value (exactArg).
   */
  readonly arg: number;
  /** Offset just after the head. */
  readonly next: number;
}

class Scanner {
  /** See DecodeScan.reencode. */
  reencode = false;

  constructor(private readonly b: Uint8Array) {}

  /** Checks the item at `at` and returns the offset after it. */
  item(at: number, depth: number): number {
    if (depth > MAX_CBOR_DEPTH) throw new ScanStop(at, `items are nested more than ${MAX_CBOR_DEPTH} levels deep`);
    const h = this.head(at);
    switch (h.major) {
      case 0:
      case 1:
        return h.next;
      case 2:
        return this.skip(h, at, 'byte string');
      case 3: {
        const end = this.skip(h, at, 'text string');
        if (decodeUtf8(this.b.subarray(h.next, end)) === undefined) throw new ScanStop(at, 'a text string is not valid UTF-8');
        if (end - h.next >= 3 && this.b[h.next] === 0xef && this.b[h.next + 1] === 0xbb && this.b[h.next + 2] === 0xbf) this.reencode = true;
        return end;
      }
      case 4: {
        let p = h.next;
        for (let i = 0; i < h.arg; i++) p = this.item(p, depth + 1);
        return p;
      }
      case 5:
        return this.map(h, at, depth);
      case 6:
        return this.tag(h, at, depth);
      default:
        return this.simple(h, at);
    }
  }

  private map(h: Head, at: number, depth: number): number {
    let p = h.next;
    let prev: Uint8Array | undefined;
    for (let i = 0; i < h.arg; i++) {
      const keyAt = p;
      const kh = this.head(p);
      if (kh.major !== 3) throw new ScanStop(keyAt, `a map key is ${KIND[kh.major]}; DAG-CBOR map keys are text strings`);
      p = this.item(p, depth + 1);
      const key = this.b.subarray(kh.next, p);
      if (prev) {
        const order = compareKeys(prev, key);
        if (order === 0) throw new ScanStop(keyAt, `a map has the key ${show(key)} twice`);
        if (order > 0) throw new ScanStop(keyAt, `map keys are out of order: ${show(key)} comes after ${show(prev)}; keys sort by length, then bytewise`);
      }
      prev = key;
      p = this.item(p, depth + 1);
    }
    return p;
  }

  private tag(h: Head, at: number, depth: number): number {
    if (h.arg !== CID_TAG) throw new ScanStop(at, `tag ${this.exactArg(at)} is not allowed; DAG-CBOR allows only tag 42 (a CID)`);
    const inner = this.head(h.next);
    if (inner.major !== 2) throw new ScanStop(h.next, `tag 42 must wrap a byte string, found ${KIND[inner.major]}`);
    if (inner.arg === 0 || this.b[inner.next] !== 0x00) throw new ScanStop(h.next, 'a CID (tag 42) must start with the 0x00 multibase prefix');
    this.reencode = true;
    return this.item(h.next, depth + 1);
  }

  private simple(h: Head, at: number): number {
    switch (h.info) {
      case 20:
      case 21:
      case 22:
        return h.next;
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
        return h.next;
      }
      case 31:
        throw new ScanStop(at, 'a "break" byte (0xff) appears outside an indefinite-length item');
      default:
        throw new ScanStop(at, `simple value ${h.info === 24 ? this.b[at + 1] : h.info} is not allowed; DAG-CBOR has only false, true and null`);
    }
  }

  /** Skips the payload of a string head and returns the offset after it. */
  private skip(h: Head, at: number, what: string): number {
    const end = h.next + h.arg;
    if (end > this.b.length) throw new ScanStop(at, `a ${what} of ${this.exactArg(at)} bytes runs past the end of the input`);
    return end;
  }

  /** The argument of the head at `at`, exactly (for messages). */
  private exactArg(at: number): bigint {
    const info = (this.b[at] as number) & 0x1f;
    if (info < 24) return BigInt(info);
    let arg = 0n;
    for (let i = 1; i <= 1 << (info - 24); i++) arg = (arg << 8n) | BigInt(this.b[at + i] as number);
    return arg;
  }

  private head(at: number): Head {
    const first = this.b[at];
    if (first === undefined) throw new ScanStop(at, 'the input ends where an item should start');
    const major = first >> 5;
    const info = first & 0x1f;
    if (info < 24) return { major, info, arg: info, next: at + 1 };
    if (info === 31) {
      if (major === 7) return { major, info, arg: 0, next: at + 1 };
      if (major >= 2 && major <= 5) throw new ScanStop(at, `an indefinite-length ${KIND[major]} appears; DAG-CBOR lengths are always definite`);
      throw new ScanStop(at, `additional information 31 is not well-formed for ${KIND[major]}`);
    }
    if (info > 27) throw new ScanStop(at, `reserved additional information ${info} in the head byte 0x${first.toString(16)}`);
    const size = 1 << (info - 24);
    if (at + 1 + size > this.b.length) throw new ScanStop(at, 'the input ends inside an item head');
    if (major === 7) return { major, info, arg: 0, next: at + 1 + size };
    const b = this.b;
    let arg: number;
    let minimal: boolean;
    if (size === 1) {
      arg = b[at + 1] as number;
      minimal = arg >= 24;
    } else if (size === 2) {
      arg = ((b[at + 1] as number) << 8) | (b[at + 2] as number);
      minimal = arg >= 0x100;
    } else {
      const word = (i: number): number => (((b[i] as number) << 24) >>> 0) + (((b[i + 1] as number) << 16) | ((b[i + 2] as number) << 8) | (b[i + 3] as number));
      if (size === 4) {
        arg = word(at + 1);
        minimal = arg >= 0x10000;
      } else {
        const high = word(at + 1);
        arg = high * 2 ** 32 + word(at + 5);
        minimal = high !== 0;
      }
    }
    if (!minimal) throw new ScanStop(at, `${KIND[major]} head uses ${size + 1} bytes for ${arg}; DAG-CBOR requires the shortest form`);
    return { major, info, arg, next: at + 1 + size };
  }
}

/** DAG-CBOR key order: shorter first, then bytewise. */
function compareKeys(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

function show(key: Uint8Array): string {
  const s = decodeUtf8(key) ?? '?';
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 37)}...` : s);
}

const KIND = ['an unsigned integer', 'a negative integer', 'a byte string', 'a text string', 'an array', 'a map', 'a tag', 'a simple value or float'] as const;
