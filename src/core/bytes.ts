/** Byte helpers shared by every layer; strict where input comes from users. */

const HEX_RE = /^(?:[0-9a-f]{2})*$/;

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses lowercase, even-length hex; returns undefined for anything else. */
export function fromHex(hex: string): Uint8Array | undefined {
  if (!HEX_RE.test(hex)) return undefined;
  // Straight into the result (through a Buffer it was two allocations, and the gate reads two keys per event).
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = (nibble(hex.charCodeAt(2 * i)) << 4) | nibble(hex.charCodeAt(2 * i + 1));
  return out;
}

/** The value of a lowercase hex digit's character code (HEX_RE checked it). */
function nibble(c: number): number {
  return c <= 57 ? c - 48 : c - 87;
}

/** Like fromHex, but accepts either case (for published vectors, never for user values). */
export function fromHexLoose(hex: string): Uint8Array {
  const lower = hex.toLowerCase();
  const bytes = fromHex(lower);
  if (!bytes) throw new Error(`not hex: ${hex.slice(0, 40)}`);
  return bytes;
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

// One of each for the process: constructing them cost more than decoding a short string.
const ENCODER = new TextEncoder();
// Not streaming, so each decode starts afresh, also after a failed one.
const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function utf8(text: string): Uint8Array {
  return ENCODER.encode(text);
}

/** Strict UTF-8 decoding: invalid sequences are an error, never U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return DECODER.decode(bytes);
  } catch {
    return undefined;
  }
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((n, p) => n + p.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}
