/**
 * Strict UTF-8 decoding for the hot path of object parsing: node's native
 * validator plus Buffer decoding, several times faster than a TextDecoder per
 * call on tens of thousands of commits (bench/git.bench.ts). Same answer as
 * core/bytes decodeUtf8: the text, or undefined for bytes that are not UTF-8.
 */
import { isUtf8 } from 'node:buffer';

export function strictUtf8(bytes: Uint8Array): string | undefined {
  if (!isUtf8(bytes)) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
}
