/**
 * Envelopes this process has decoded and checked, by the id of the blob
 * that holds them. A push that carries events and a checkpoint over them
 * decodes each envelope twice otherwise (verifying the event, then reading
 * the fold's window), and decoding was most of a checkpoint's cost. A blob
 * id names its bytes, so an entry is exactly what decoding again would give.
 * Bounded: cleared when full. Only successful decodes are kept. Adapter
 * state (per process), not part of the pure core.
 */
import type { Envelope } from './envelope';

const LIMIT = 65536;
const decoded = new Map<string, Envelope>();

export function rememberEnvelope(blobId: string, e: Envelope): void {
  if (decoded.size >= LIMIT) decoded.clear();
  decoded.set(blobId, e);
}

export function recalledEnvelope(blobId: string): Envelope | undefined {
  return decoded.get(blobId);
}
