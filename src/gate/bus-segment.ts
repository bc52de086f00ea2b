/**
 * Bus segments (docs/bus.md, decision 0036): a shard ref is a run of
 * segments, each closed by a summary message (an event of type
 * `bus.segment`) appended on the shard. The summary names its window (the
 * messages after the previous summary, or from the shard's first message):
 * how many, how many bytes, the Merkle root of their canonical envelope
 * bytes in ULID order (src/canon/merkle.ts), the last ULID and commit, and
 * the previous summary. The gate rebuilds the window from the objects and
 * compares every field; a topic's config says when a rotation is due. Pure.
 */
import { merkleRoot } from '../canon/merkle';
import { toHex } from '../core/bytes';
import type { TopicConfig } from './bus';

export const SEGMENT_TYPE = 'bus.segment';

/** A summary's payload. `prev` is absent for a shard's first segment. */
export interface SegmentSummary {
  readonly count: number;
  readonly bytes: number;
  readonly merkle_root: string;
  readonly last_ulid: string;
  readonly last_commit: string;
  readonly prev?: string;
}

const FIELDS: readonly string[] = ['bytes', 'count', 'last_commit', 'last_ulid', 'merkle_root', 'prev'];
const COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function readSegmentPayload(p: unknown): { readonly ok: true; readonly value: SegmentSummary } | { readonly ok: false; readonly problem: string } {
  const bad = (problem: string) => ({ ok: false as const, problem });
  if (typeof p !== 'object' || p === null || Array.isArray(p) || p instanceof Uint8Array) return bad('its payload must be a map { count, bytes, merkle_root, last_ulid, last_commit, prev }');
  const o = p as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => !FIELDS.includes(k));
  if (extra.length) return bad(`its payload has unknown field(s) ${extra.join(', ')} (allowed: ${FIELDS.join(', ')})`);
  const int = (v: unknown): number | undefined => {
    const n = typeof v === 'bigint' ? Number(v) : v;
    return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
  };
  const count = int(o.count);
  const bytes = int(o.bytes);
  if (count === undefined || count < 1) return bad("'count' must be the number of messages in the window, 1 or more");
  if (bytes === undefined) return bad("'bytes' must be the window's size in bytes");
  if (typeof o.merkle_root !== 'string' || !/^blake3:[0-9a-f]{64}$/.test(o.merkle_root)) return bad("'merkle_root' must be blake3:<64 hex>");
  if (typeof o.last_ulid !== 'string' || !ULID.test(o.last_ulid)) return bad("'last_ulid' must be a ULID");
  if (typeof o.last_commit !== 'string' || !COMMIT.test(o.last_commit)) return bad("'last_commit' must be a commit id");
  if ('prev' in o && (typeof o.prev !== 'string' || !COMMIT.test(o.prev))) return bad("'prev' must be the previous summary's commit id (absent for a shard's first segment)");
  return { ok: true, value: { count, bytes, merkle_root: o.merkle_root, last_ulid: o.last_ulid, last_commit: o.last_commit, ...(typeof o.prev === 'string' ? { prev: o.prev } : {}) } };
}

/** One message of a window as read from git: its commit, ULID and canonical envelope bytes. */
export interface WindowMessage {
  readonly commit: string;
  readonly ulid: string;
  readonly bytes: Uint8Array;
}

/** A window as read back from a summary's parent: its messages (any order) and the summary that opens it, if any. */
export interface Window {
  readonly messages: readonly WindowMessage[];
  readonly prev?: string;
}

/** The summary a window gets: what a rotation writes and what the gate compares with. Undefined for an empty window. */
export function summarize(w: Window): SegmentSummary | undefined {
  const sorted = [...w.messages].sort((a, b) => (a.ulid < b.ulid ? -1 : a.ulid > b.ulid ? 1 : 0));
  const last = sorted[sorted.length - 1];
  const root = merkleRoot(sorted.map((m) => m.bytes));
  if (!last || !root) return undefined;
  return {
    count: sorted.length,
    bytes: sorted.reduce((n, m) => n + m.bytes.length, 0),
    merkle_root: `blake3:${toHex(root)}`,
    last_ulid: last.ulid,
    last_commit: last.commit,
    ...(w.prev ? { prev: w.prev } : {}),
  };
}

/** Whether the config's segment policy lets a window of this size rotate: undefined when it does, else why not. */
export function rotationDue(c: TopicConfig, s: { readonly count: number; readonly bytes: number }): string | undefined {
  if (c.segment_messages === undefined && c.segment_bytes === undefined) return 'its config sets no segment policy (segment_messages, segment_bytes), so its shards do not rotate';
  if (c.segment_messages !== undefined && s.count >= c.segment_messages) return undefined;
  if (c.segment_bytes !== undefined && s.bytes >= c.segment_bytes) return undefined;
  const want = [c.segment_messages !== undefined ? `${c.segment_messages} messages` : '', c.segment_bytes !== undefined ? `${c.segment_bytes} bytes` : ''].filter(Boolean).join(' or ');
  return `the window holds ${s.count} message${s.count === 1 ? '' : 's'} of ${s.bytes} bytes, below the config's threshold of ${want}`;
}

/** Every field of `claimed` that the rebuilt summary contradicts, as text (empty: it matches). */
export function summaryMismatches(claimed: SegmentSummary, rebuilt: SegmentSummary): string[] {
  const out: string[] = [];
  const keys = ['count', 'bytes', 'merkle_root', 'last_ulid', 'last_commit', 'prev'] as const;
  for (const k of keys) {
    const a = claimed[k];
    const b = rebuilt[k];
    if (a !== b) out.push(`'${k}' is ${a === undefined ? 'absent' : JSON.stringify(a)}, the window gives ${b === undefined ? 'none (the shard\'s first segment)' : JSON.stringify(b)}`);
  }
  return out;
}
