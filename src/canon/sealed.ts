/**
 * The form of the hooks' small records in $GIT_DIR/gatos/cache: a magic
 * line, the sha256 of the body, the body. A record is used only when whole:
 * its magic and its own digest match. Pure.
 */
import { bytesEqual, concatBytes, utf8 } from '../core/bytes';
import { sha256 } from './digest';

const DIGEST_BYTES = 32;

export function seal(magic: string, body: Uint8Array): Uint8Array {
  return concatBytes([utf8(magic), sha256(body), body]);
}

/** The body of a sealed record, if `b` is whole; undefined otherwise. */
export function unseal(magic: string, b: Uint8Array): Uint8Array | undefined {
  const head = utf8(magic);
  if (b.length <= head.length + DIGEST_BYTES || !bytesEqual(b.subarray(0, head.length), head)) return undefined;
  const body = b.subarray(head.length + DIGEST_BYTES);
  return bytesEqual(sha256(body), b.subarray(head.length, head.length + DIGEST_BYTES)) ? body : undefined;
}
