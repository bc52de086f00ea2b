/**
 * ULIDs: 48 bits of milliseconds and 80 random bits in Crockford base32
 * (26 characters, upper case). Generated ones are monotonic per journal:
 * never below the journal's last ULID plus one. Pure: the caller supplies
 * the time and the random bytes.
 */
import { err, gateError, ok, type Result } from '../core/result';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const ULID_RE = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
const MAX_TIME = 2 ** 48 - 1;

export function isUlid(text: string): boolean {
  return ULID_RE.test(text);
}

function encodeTime(ms: number): string {
  let s = '';
  let x = ms;
  for (let i = 0; i < 10; i++) {
    s = ALPHABET[x % 32] + s;
    x = Math.floor(x / 32);
  }
  return s;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits = 16 characters of 5 bits, most significant first.
  let s = '';
  let acc = 0n;
  for (const b of bytes.subarray(0, 10)) acc = (acc << 8n) | BigInt(b);
  for (let i = 15; i >= 0; i--) s += ALPHABET[Number((acc >> BigInt(i * 5)) & 31n)];
  return s;
}

/** The ULID after `u`, or an error when `u` is the largest there is. */
export function incrementUlid(u: string): Result<string> {
  const chars = u.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    const v = ALPHABET.indexOf(chars[i] as string);
    if (v < 31 && !(i === 0 && v >= 7)) {
      chars[i] = ALPHABET[v + 1] as string;
      return ok(chars.join(''));
    }
    chars[i] = '0';
  }
  return err(gateError('VALUE_INVALID', `no ULID follows ${u}`, { hint: 'the journal has used up its ULIDs' }));
}

/** A new ULID for time `ms` and 10 random bytes, raised above `last` when needed. */
export function nextUlid(ms: number, random: Uint8Array, last?: string): Result<string> {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_TIME) return err(gateError('VALUE_INVALID', `time ${ms} ms cannot be a ULID's time`));
  if (random.byteLength < 10) throw new Error('nextUlid needs 10 random bytes');
  const fresh = encodeTime(ms) + encodeRandom(random);
  if (last === undefined || fresh > last) return ok(fresh);
  return incrementUlid(last);
}

/** Milliseconds since the epoch in a ULID's time part. */
export function ulidTime(u: string): number {
  let ms = 0;
  for (const c of u.slice(0, 10)) ms = ms * 32 + ALPHABET.indexOf(c);
  return ms;
}
