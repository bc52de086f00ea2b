/**
 * Gathering the facts of a bus prune and of an archive ref (decision 0039,
 * src/gate/bus-prune.ts decides): the summary chain a shard's old tip
 * closes, read back along each summary's `prev` (one commit and one
 * envelope per segment, never the messages); the named subscribers' lag at
 * the server; where the archive ref the prune needs is; and, for acks, the
 * order of commits across a prune (a prune root stands for the old tip it
 * archived). Adapter.
 */
import type { VerifyMemo } from '../events';
import { readEnvelopeAt } from '../events/read';
import type { RefUpdate } from '../gate';
import type { BusFacts, BusRef } from '../gate/bus';
import { messageRef } from '../gate/bus';
import { readSegmentPayload } from '../gate/bus-segment';
import { BUS_ARCHIVE_PREFIX, PRUNE_TYPE, archiveRef, type ChainLink } from '../gate/bus-prune';
import type { EventFact, Failure } from '../gate/facts';
import type { Commit, GitRepo } from '../git';
import { err, ok, type Result } from '../core/result';
import { envelopePayload, isSummary, lags, topicState } from './bus';

type Got<T> = Result<T, Failure>;

function gitFailure(what: string, message: string): Failure {
  return { code: 'GATE_ERROR', reason: `${what}: ${message}`, hint: 'push again, and tell the operator if it persists' };
}

/** A prune root: a commit with no parent carrying a bus.prune event (its subject says so; the gate verified it as an event). */
export function isPruneRoot(c: Commit): boolean {
  return c.parents.length === 0 && (c.message ?? '').startsWith(`${PRUNE_TYPE} `);
}

/** The last ULID a summary's or a prune root's payload seals, when it names one. */
export function sealedUlid(payload: unknown): string | undefined {
  const v = typeof payload === 'object' && payload !== null ? (payload as Record<string, unknown>).last_ulid : undefined;
  return typeof v === 'string' ? v : undefined;
}

/**
 * The summaries a prune of a shard whose tip is `tip` drops, oldest first:
 * from the tip back along each summary's `prev` to the shard's first segment
 * or the previous prune root (`prev`). A tip that is no summary is a
 * problem (its open segment would be dropped unsealed), not a failure.
 */
export async function summaryChain(repo: GitRepo, tip: string): Promise<Got<{ chain?: ChainLink[]; prev?: string; problem?: string }>> {
  const chain: ChainLink[] = [];
  let id: string | undefined = tip;
  while (id) {
    const c = await repo.readCommit(id);
    if (!c.ok) return err(gitFailure(`summary ${id}`, c.error.message));
    if (!isSummary(c.value)) {
      if (id === tip) return ok({ problem: `the shard's tip ${tip} is not a segment summary: its open segment would be dropped unsealed` });
      if (isPruneRoot(c.value)) return ok({ chain: chain.reverse(), prev: id });
      return ok({ problem: `summary ${chain[chain.length - 1]?.commit ?? tip} names ${id} as the previous one, which is neither a summary nor a prune root` });
    }
    const e = await readEnvelopeAt(repo, id);
    if (!e.ok) return err(gitFailure(`summary ${id}`, e.error.message));
    const p = readSegmentPayload(e.value.envelope.payload);
    if (!p.ok) return ok({ problem: `summary ${id}: ${p.problem}` });
    chain.push({ commit: id, event: e.value.bytes, lastUlid: p.value.last_ulid });
    id = p.value.prev;
  }
  return ok({ chain: chain.reverse() });
}

/** The facts of a non-fast-forward move of a shard ref to a prune root. */
export async function pruneFacts(repo: GitRepo, u: RefUpdate, b: Extract<BusRef, { kind: 'message' }>, events: readonly EventFact[], memo: VerifyMemo, pushed: ReadonlyMap<string, string>): Promise<Got<BusFacts>> {
  const state = await topicState(repo, b.topic);
  if (!state.ok) return state;
  const verified = events.some((e) => e.ok && e.event.commit === u.newId);
  const payload = verified ? await envelopePayload(repo, memo, u.newId) : ok(undefined);
  if (!payload.ok) return payload;
  const chain = await summaryChain(repo, u.oldId);
  if (!chain.ok) return chain;
  const base = { kind: 'prune' as const, topic: b.topic, shard: b.shard, oldTip: u.oldId, root: u.newId, ...(state.value ? { state: state.value } : {}), ...(payload.value !== undefined ? { payload: payload.value } : {}), ...chain.value };
  const subscribers = state.value?.config.subscribers ?? [];
  const lag = await lags(repo, b.topic, [b.shard], subscribers);
  if (!lag.ok) return lag;
  const last = chain.value.chain?.[chain.value.chain.length - 1];
  if (!last) return ok({ ...base, lag: lag.value });
  const ref = archiveRef(b.topic, b.shard, last.lastUlid);
  let at = pushed.get(ref);
  if (at === undefined) {
    const r = await repo.readRef(ref);
    if (!r.ok) return err(gitFailure(ref, r.error.message));
    at = r.value;
  }
  return ok({ ...base, lag: lag.value, archive: { ref, ...(at ? { at } : {}) } });
}

/** The facts of an archive ref update: the shard's tip at the server and the last ULID it seals when it is a summary. */
export async function archiveFacts(repo: GitRepo, u: RefUpdate, b: Extract<BusRef, { kind: 'archive' }>): Promise<Got<BusFacts>> {
  const base = { kind: 'archive' as const, topic: b.topic, shard: b.shard, ulid: b.ulid, create: u.oldId === repo.zeroId, target: u.newId };
  const tip = await repo.readRef(messageRef(b.topic, b.shard));
  if (!tip.ok) return err(gitFailure(messageRef(b.topic, b.shard), tip.error.message));
  if (!tip.value) return ok(base);
  const c = await repo.readCommit(tip.value);
  if (!c.ok) return err(gitFailure(messageRef(b.topic, b.shard), c.error.message));
  if (!isSummary(c.value)) return ok({ ...base, shardTip: tip.value });
  const e = await readEnvelopeAt(repo, tip.value);
  if (!e.ok) return err(gitFailure(`summary ${tip.value}`, e.error.message));
  const sealed = sealedUlid(e.value.envelope.payload);
  return ok({ ...base, shardTip: tip.value, ...(sealed ? { sealedUlid: sealed } : {}) });
}

/** The archive refs of one shard at the server: where its pruned messages are still reachable. */
export async function archiveTips(repo: GitRepo, topic: string, shard: number): Promise<Got<string[]>> {
  const refs = await repo.forEachRef([`${BUS_ARCHIVE_PREFIX}${topic}/${shard}/`]);
  if (!refs.ok) return err(gitFailure(`${BUS_ARCHIVE_PREFIX}${topic}/${shard}/`, refs.error.message));
  return ok(refs.value.map((r) => r.id));
}

/** The first-parent root of `id` (bus refs are linear): one rev-list. */
async function rootOf(repo: GitRepo, id: string): Promise<string | undefined> {
  const r = await repo.run(['rev-list', '--first-parent', '--max-parents=0', id, '--']);
  if (!r.ok) return undefined;
  const first = r.value.stdout.toString('utf8').split('\n', 1)[0];
  return first || undefined;
}

/**
 * Whether commit `a` comes at or before `b` on a shard across prunes: `a`
 * is an ancestor of `b`, or `b`'s history starts at a prune root whose old
 * tip `a` comes at or before (prunes chain: at most `depth` of them). What
 * a monotone ack means once a shard has been pruned.
 */
export async function precedes(repo: GitRepo, a: string, b: string, depth = 64): Promise<boolean> {
  if (a === b) return true;
  const r = await repo.isAncestor(a, b);
  if (r.ok && r.value) return true;
  if (depth <= 0) return false;
  const root = await rootOf(repo, b);
  if (!root) return false;
  const c = await repo.readCommit(root);
  if (!c.ok || !isPruneRoot(c.value)) return false;
  const e = await readEnvelopeAt(repo, root);
  const old = e.ok && typeof e.value.envelope.payload === 'object' && e.value.envelope.payload !== null ? (e.value.envelope.payload as Record<string, unknown>).old_tip : undefined;
  return typeof old === 'string' && old !== b ? precedes(repo, a, old, depth - 1) : false;
}
