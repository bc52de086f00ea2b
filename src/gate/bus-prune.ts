/**
 * Bus retention (docs/bus.md, decision 0039): a shard whose tip is a segment
 * summary may be **pruned**, its ref moved off its history to a new root
 * commit (no parent) holding one signed `bus.prune` event whose payload
 * carries, byte for byte, the envelope of every summary it drops (counts,
 * bytes, Merkle roots, last ULIDs and commits, each signed by its rotator),
 * the old tip and the last ULID sealed. The same push creates an archive
 * ref, `refs/gatos/mbus-archive/<topic>/<shard>/<last ULID>`, at exactly the
 * old tip, so every accepted message stays reachable and provable: the live
 * ref drops history, the repository does not. Archive refs are create-only.
 *
 * The adapter (src/push/bus-prune.ts) reads git; everything is decided here.
 * Pure.
 */
import { encodeCanonical } from '../canon/cbor';
import { bytesEqual } from '../core/bytes';
import type { ErrorCode } from '../core/codes';
import type { Lag, TopicConfig, TopicState } from './bus';
import type { Denial } from './decide';
import type { EventFact, PushedEvent } from './facts';
import { RULES } from './rules';

export const PRUNE_TYPE = 'bus.prune';
export const BUS_ARCHIVE_PREFIX = 'refs/gatos/mbus-archive/';

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** The capability a prune's signer claims and its pusher holds. */
export function pruneCap(topic: string): string {
  return `bus:prune:${topic}`;
}

/** The archive ref a prune of `shard` creates: named by the last ULID its old tip sealed. */
export function archiveRef(topic: string, shard: number, lastUlid: string): string {
  return `${BUS_ARCHIVE_PREFIX}${topic}/${shard}/${lastUlid}`;
}

/** `<shard>/<ULID>` of an archive ref (after the topic): the parts, or why not. */
export function parseArchiveTail(tail: string): { readonly ok: true; readonly shard: number; readonly ulid: string } | { readonly ok: false; readonly problem: string } {
  const m = /^(0|[1-9][0-9]{0,3})\/([^/]*)$/.exec(tail);
  if (!m || Number(m[1]) >= 4096) return { ok: false, problem: 'archives are refs/gatos/mbus-archive/<topic>/<shard>/<last ULID>' };
  if (!ULID.test(m[2] as string)) return { ok: false, problem: `'${m[2] as string}' is not a ULID (the last ULID the archived tip seals)` };
  return { ok: true, shard: Number(m[1]), ulid: m[2] as string };
}

/** One summary a prune drops, as accepted: its commit, its canonical envelope bytes, and the last ULID it seals. */
export interface ChainLink {
  readonly commit: string;
  readonly event: Uint8Array;
  readonly lastUlid: string;
}

/** A prune's payload. */
export interface PrunePayload {
  /** The shard's tip before the prune: the last summary dropped. */
  readonly old_tip: string;
  /** The last message ULID it seals (the old tip's last_ulid): nothing at or below it is accepted again. */
  readonly last_ulid: string;
  /** Every summary dropped, oldest first: its commit and its envelope bytes, exactly as accepted. */
  readonly segments: readonly { readonly commit: string; readonly event: Uint8Array }[];
  /** The prune root the first dropped window starts after; absent when the shard was never pruned before. */
  readonly prev?: string;
}

/** The payload a prune of `chain` (oldest first, ending at the old tip) must carry: what the client writes and the gate compares with. */
export function prunePayload(chain: readonly ChainLink[], prev?: string): PrunePayload | undefined {
  const last = chain[chain.length - 1];
  if (!last) return undefined;
  return { old_tip: last.commit, last_ulid: last.lastUlid, segments: chain.map((c) => ({ commit: c.commit, event: c.event })), ...(prev ? { prev } : {}) };
}

/** Whether the config's retention lets a shard holding `segments` sealed segments (since its start or last prune) be pruned: undefined when it does. */
export function pruneDue(c: TopicConfig, segments: number): string | undefined {
  if (c.prune_segments === undefined) return 'its config sets no retention (prune_segments), so its shards are never pruned';
  if (segments < c.prune_segments) return `the shard holds ${segments} sealed segment${segments === 1 ? '' : 's'} since its start or last prune, fewer than the config's prune_segments of ${c.prune_segments}`;
  return undefined;
}

/** What differs between a pushed prune payload and the one the summaries give (empty: byte for byte the same). */
export function pruneMismatches(pushed: unknown, want: PrunePayload): string[] {
  if (typeof pushed !== 'object' || pushed === null || Array.isArray(pushed) || pushed instanceof Uint8Array) return ['its payload must be a map { old_tip, last_ulid, segments, prev }'];
  const p = pushed as Record<string, unknown>;
  const out: string[] = [];
  const extra = Object.keys(p).filter((k) => !['old_tip', 'last_ulid', 'segments', 'prev'].includes(k));
  if (extra.length) out.push(`its payload has unknown field(s) ${extra.sort().join(', ')}`);
  for (const k of ['old_tip', 'last_ulid', 'prev'] as const) {
    if (p[k] !== want[k]) out.push(`'${k}' is ${p[k] === undefined ? 'absent' : JSON.stringify(p[k])}, the shard gives ${want[k] === undefined ? 'none (never pruned before)' : JSON.stringify(want[k])}`);
  }
  const segs = Array.isArray(p.segments) ? (p.segments as unknown[]) : undefined;
  if (!segs) out.push("'segments' must list every summary dropped, oldest first");
  else {
    if (segs.length !== want.segments.length) out.push(`'segments' lists ${segs.length} summar${segs.length === 1 ? 'y' : 'ies'}, the shard drops ${want.segments.length}`);
    want.segments.forEach((w, i) => {
      const s = segs[i] as Record<string, unknown> | undefined;
      if (!s || typeof s !== 'object' || s.commit !== w.commit) out.push(`segment ${i}: the dropped summary is ${w.commit}${s && typeof s === 'object' ? `, not ${JSON.stringify(s.commit)}` : ''}`);
      else if (!(s.event instanceof Uint8Array) || !bytesEqual(s.event, w.event)) out.push(`segment ${i}: its event bytes are not the accepted envelope of summary ${w.commit}`);
    });
  }
  // Whatever the fields say, the whole payload is compared as canonical bytes (nothing rides along).
  if (out.length === 0 && !sameBytes(pushed, want)) out.push('its payload is not, byte for byte, the one the dropped summaries give');
  return out;
}

function sameBytes(a: unknown, b: unknown): boolean {
  try {
    return bytesEqual(encodeCanonical(a), encodeCanonical(b));
  } catch {
    return false;
  }
}

/** A non-fast-forward move of a shard ref to a root commit whose subject says bus.prune: judged as a prune (never as a plain rewrite). */
export interface PruneFacts {
  readonly kind: 'prune';
  readonly topic: string;
  readonly shard: number;
  readonly state?: TopicState;
  /** The shard's tip before the push. */
  readonly oldTip: string;
  /** The new tip: the prune root. */
  readonly root: string;
  /** The summaries dropped, oldest first, read back from the old tip along their `prev`; absent with `problem` when the old tip is no summary or the chain does not read. */
  readonly chain?: readonly ChainLink[];
  readonly prev?: string;
  readonly problem?: string;
  /** The prune root's payload (its verified envelope's); undefined when it was not read (refused as an event already). */
  readonly payload?: unknown;
  /** Each named subscriber's lag on the shard at the server, before the push. */
  readonly lag: readonly Lag[];
  /** The archive ref the prune needs, and where it is (pushed alongside, else at the server); `at` undefined: nowhere. */
  readonly archive?: { readonly ref: string; readonly at?: string };
}

/** An update of refs/gatos/mbus-archive/<topic>/<shard>/<ULID>. */
export interface ArchiveFacts {
  readonly kind: 'archive';
  readonly topic: string;
  readonly shard: number;
  readonly ulid: string;
  /** The update creates the ref (archive refs never move). */
  readonly create: boolean;
  readonly target: string;
  /** The shard's tip at the server before the push, and the last ULID it seals when it is a summary. */
  readonly shardTip?: string;
  readonly sealedUlid?: string;
}

type Out = Omit<Denial, 'enforced'>;

function deny(ref: string, code: ErrorCode, reason: string, commit?: string, hint?: string): Out {
  return { ref, code, ruleId: RULES.busPrune.id, reason, hint: hint ?? RULES.busPrune.hint, ...(commit ? { commit } : {}) };
}

/** Whether a shard update is a prune attempt: then gate/fast-forward-only gives way to the prune's own checks, which fail closed. */
export function isPruneAttempt(bus: { readonly kind: string } | undefined): boolean {
  return bus?.kind === 'prune';
}

/** Every reason a prune may not land. `events`: the update's events (the prune root's), after the active trust weighed their signers. */
export function pruneDenials(ref: string, f: PruneFacts, events: readonly EventFact[]): Out[] {
  const out: Out[] = [];
  const at = `prune root ${f.root} (${f.topic}, shard ${f.shard})`;
  const ev: PushedEvent | undefined = events.find((e): e is Extract<EventFact, { ok: true }> => e.ok && e.event.commit === f.root)?.event;
  if (ev) {
    if (ev.type !== PRUNE_TYPE) out.push(deny(ref, 'SEGMENT_INVALID', `${at}: its type is ${ev.type}, not ${PRUNE_TYPE}`, f.root));
    if (ev.ns !== f.topic) out.push(deny(ref, 'SEGMENT_INVALID', `${at}: its ns is ${ev.ns}, not the topic ${f.topic}`, f.root));
    if (!ev.caps.includes(pruneCap(f.topic))) out.push(deny(ref, 'POLICY_DENY', `${at}: it does not claim '${pruneCap(f.topic)}'`, f.root, `a pruner claims '${pruneCap(f.topic)}' and holds a grant of it`));
  } else if (!events.some((e) => !e.ok && e.commit === f.root)) {
    out.push(deny(ref, 'SEGMENT_INVALID', `${at}: it is not a verified event`, f.root));
  }
  if (!f.state) return [...out, deny(ref, 'SEGMENT_INVALID', `${at}: ${f.topic} has no config, so nothing says its shards may be pruned`)];
  if (f.state.old) out.push(deny(ref, 'SEGMENT_INVALID', `${at}: ${f.topic} is inside the dual-write window from version ${f.state.old.version} to ${f.state.config.version}: flip it before pruning`, f.root));
  if (!f.chain) return [...out, deny(ref, 'SEGMENT_INVALID', `${at}: ${f.problem ?? 'the summaries it would drop do not read'}`, f.root, 'only a sealed shard is pruned: rotate it first (gatos bus rotate), then prune (gatos bus prune)')];
  const due = pruneDue(f.state.config, f.chain.length);
  if (due) out.push(deny(ref, 'SEGMENT_INVALID', `${at}: pruned too early: ${due}`, f.root));
  const want = prunePayload(f.chain, f.prev);
  if (!want) out.push(deny(ref, 'SEGMENT_INVALID', `${at}: the shard's tip seals no segment`, f.root));
  else if (f.payload !== undefined) for (const m of pruneMismatches(f.payload, want)) out.push(deny(ref, 'SEGMENT_INVALID', `${at}: ${m}`, f.root));
  for (const l of f.lag) {
    if (l.unacked > 0) {
      out.push(deny(ref, 'ACK_TIMEOUT', `${at}: subscriber ${l.subscriber} has not acked ${l.unacked} message${l.unacked === 1 ? '' : 's'} of the segments it drops`, f.root, `subscriber ${l.subscriber} lags on shard ${l.shard} of ${f.topic} (${l.unacked} unacked${l.oldestCommit ? `, oldest ${l.oldestCommit}` : ''}): it must consume and ack (gatos bus subscribe --ack) before the shard is pruned`));
    }
  }
  if (!f.archive || f.archive.at !== f.oldTip) {
    const where = f.archive?.at ? ` is at ${f.archive.at}` : ' is not created';
    out.push(deny(ref, 'SEGMENT_INVALID', `${at}: its archive ref ${f.archive?.ref ?? '(none)'}${where}, not at the old tip ${f.oldTip}: a prune keeps every accepted message reachable`, f.root, `push the archive ref at the old tip in the same push (gatos bus prune writes both): git push --atomic origin +${ref} ${f.archive?.ref ?? ''}`.trimEnd()));
  }
  return out;
}

/** Every reason an archive ref update may not land: created once, at its shard's sealed tip, named by the last ULID that tip seals. */
export function archiveDenials(ref: string, f: ArchiveFacts): Out[] {
  const out: Out[] = [];
  if (!f.create) out.push(deny(ref, 'SEGMENT_INVALID', `${ref} already exists: archive refs are created once and never move`, f.target));
  if (!f.shardTip) return [...out, deny(ref, 'SEGMENT_INVALID', `shard ${f.shard} of ${f.topic} has no tip to archive`, f.target)];
  if (f.target !== f.shardTip) out.push(deny(ref, 'SEGMENT_INVALID', `${ref} points at ${f.target}, but shard ${f.shard} of ${f.topic} is at ${f.shardTip}: an archive holds exactly the tip a prune drops`, f.target));
  if (f.sealedUlid === undefined) out.push(deny(ref, 'SEGMENT_INVALID', `shard ${f.shard} of ${f.topic} ends in an open segment (${f.shardTip}): only a sealed tip is archived`, f.target, 'rotate first (gatos bus rotate), then prune (gatos bus prune)'));
  else if (f.ulid !== f.sealedUlid) out.push(deny(ref, 'SEGMENT_INVALID', `${ref} names ULID ${f.ulid}, but the tip it archives seals ${f.sealedUlid}`, f.target, `name it ${archiveRef(f.topic, f.shard, f.sealedUlid)} (gatos bus prune does)`));
  return out;
}
