/**
 * Envelopes of event commits this process has verified, by commit id. A
 * push that carries events and a checkpoint over them would otherwise read
 * and decode each envelope twice (verifying the event, then reading the
 * fold's window), and that was most of a checkpoint's cost. A commit id
 * names its tree and so its one event.cbor, so an entry is exactly what
 * reading and decoding again would give. Bounded: cleared when full. Only
 * verified events are kept. Adapter state (per process), not part of the
 * pure core.
 */
import type { Envelope } from './envelope';

const LIMIT = 65536;
const decoded = new Map<string, Envelope>();

export function rememberEnvelope(commit: string, e: Envelope): void {
  if (decoded.size >= LIMIT) decoded.clear();
  decoded.set(commit, e);
}

export function recalledEnvelope(commit: string): Envelope | undefined {
  return decoded.get(commit);
}
