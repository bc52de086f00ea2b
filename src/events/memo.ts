/**
 * What one run of verification has learned so far, passed explicitly to
 * each verifier (never kept in a module: a server process serves many
 * pushes, and what one push verified must not change what another reads).
 * The gate makes one per push (src/push/decide-push.ts), `gatos event
 * verify` one per journal.
 *
 * - The envelopes of event commits verified in this run, by commit id: a
 *   push that carries events and a checkpoint over them would otherwise read
 *   and decode each envelope twice (verifying the event, then reading the
 *   fold's window), and that was most of a checkpoint's cost. A commit id
 *   names its tree and so its one event.cbor, so an entry is exactly what
 *   reading and decoding again would give. Only verified events are kept;
 *   bounded (cleared when full).
 * - The bundles loaded in this run, by commit (a commit never changes), so
 *   thousands of events binding one bundle load it once.
 * - The journal ref parsed last: a push verifies thousands of events of one
 *   journal.
 */
import { parseJournalRef } from '../actors';
import type { LoadedBundle } from '../bundle/load';
import type { Envelope } from './envelope';

const ENVELOPE_LIMIT = 65536;

export class VerifyMemo {
  private readonly envelopes = new Map<string, Envelope>();
  /** Loaded bundles by commit id (loadBundle's `loaded`). */
  readonly bundles = new Map<string, LoadedBundle>();
  private lastJournal: { ref: string; parsed: ReturnType<typeof parseJournalRef> } | undefined;

  rememberEnvelope(commit: string, e: Envelope): void {
    if (this.envelopes.size >= ENVELOPE_LIMIT) this.envelopes.clear();
    this.envelopes.set(commit, e);
  }

  recalledEnvelope(commit: string): Envelope | undefined {
    return this.envelopes.get(commit);
  }

  journal(ref: string): ReturnType<typeof parseJournalRef> {
    if (this.lastJournal?.ref !== ref) this.lastJournal = { ref, parsed: parseJournalRef(ref) };
    return this.lastJournal.parsed;
  }
}
