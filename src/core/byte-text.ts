/**
 * Bytes that are meant as text but may not be: ref names, host user names
 * and arguments git and the host hand a hook. They are decoded into strings
 * losslessly ("surrogate escape"): every valid UTF-8 sequence becomes its
 * code point, every byte that starts no valid sequence becomes the lone
 * surrogate U+DC00 + byte (U+DC80..U+DCFF), which valid UTF-8 never decodes
 * to. Valid UTF-8 therefore decodes exactly as usual, two different byte
 * strings never give the same string, and textBytes() gives the bytes back.
 * Pure.
 */

const ESCAPE_BASE = 0xdc00;

/** The length of the valid UTF-8 sequence starting at `i`, or 0 when none starts there. */
function sequenceAt(b: Uint8Array, i: number): number {
  const c = b[i] as number;
  if (c < 0x80) return 1;
  const cont = (k: number): boolean => i + k < b.length && ((b[i + k] as number) & 0xc0) === 0x80;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1] as number;
    if (c === 0xe0 && c1 < 0xa0) return 0; // overlong
    if (c === 0xed && c1 >= 0xa0) return 0; // a surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1] as number;
    if (c === 0xf0 && c1 < 0x90) return 0; // overlong
    if (c === 0xf4 && c1 >= 0x90) return 0; // above U+10FFFF
    return 4;
  }
  return 0;
}

const STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The lossless string of `bytes` (see above). */
export function textOfBytes(bytes: Uint8Array): string {
  try {
    return STRICT.decode(bytes);
  } catch {
    // Not valid UTF-8: escape byte by byte where no valid sequence starts.
  }
  const out: string[] = [];
  let i = 0;
  while (i < bytes.length) {
    const n = sequenceAt(bytes, i);
    if (n === 0) {
      out.push(String.fromCharCode(ESCAPE_BASE + (bytes[i] as number)));
      i += 1;
    } else {
      out.push(STRICT.decode(bytes.subarray(i, i + n)));
      i += n;
    }
  }
  return out.join('');
}

/**
 * The bytes of a string textOfBytes made (its inverse). Total on every
 * string: a lone surrogate it never makes is written as its generalized
 * UTF-8 form (3 bytes), so nothing throws.
 */
export function textBytes(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const u = s.charCodeAt(i);
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        const cp = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
        i++;
        continue;
      }
    }
    if (u >= ESCAPE_BASE + 0x80 && u <= ESCAPE_BASE + 0xff) out.push(u - ESCAPE_BASE);
    else if (u < 0x80) out.push(u);
    else if (u < 0x800) out.push(0xc0 | (u >> 6), 0x80 | (u & 0x3f));
    else out.push(0xe0 | (u >> 12), 0x80 | ((u >> 6) & 0x3f), 0x80 | (u & 0x3f));
  }
  return Uint8Array.from(out);
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Well-formed (no lone surrogate, so it came from valid UTF-8) and in Unicode NFC: text canonical JSON takes as it is. */
export function isCanonicalText(s: string): boolean {
  return !LONE_SURROGATE.test(s) && s === s.normalize('NFC');
}

/**
 * A readable one-line form of any string: canonical text without control
 * characters as it is; anything else with its bytes outside printable ASCII
 * (and the backslash) written as \xNN, so the form is unambiguous.
 */
export function displayText(s: string): string {
  const plain = (u: number): boolean => u >= 0x20 && u !== 0x7f && u !== 0x5c;
  if (isCanonicalText(s) && [...s].every((c) => plain(c.codePointAt(0) as number))) return s;
  let out = '';
  for (const b of textBytes(s)) out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}
