/**
 * `gatos bus prune` on the client (docs/bus.md, decision 0039): for each
 * shard whose tip is a segment summary and which the topic's retention lets
 * go (`prune_segments`, every named subscriber caught up), write the prune
 * root the gate rebuilds (a root commit holding a signed bus.prune event that
 * carries every dropped summary's envelope bytes), move the shard ref to it
 * and create the archive ref at the old tip, in one ref transaction. The
 * push that follows must force the shard ref and carry the archive ref.
 * Adapter (git, objects).
 */
import { nextUlid } from '../canon/ulid';
import { err, gateError, ok, type Result } from '../core/result';
import { buildEventCommit } from '../events/commit';
import { encodeEnvelope } from '../events/envelope';
import { readEnvelopeAt } from '../events/read';
import { liveShards, messageRef } from '../gate/bus';
import { PRUNE_TYPE, archiveRef, pruneCap, pruneDue, prunePayload } from '../gate/bus-prune';
import type { GitRepo } from '../git';
import type { ActorKey } from '../keys';
import { summaryChain } from '../push/bus-prune';
import { ObjectBatch } from '../workspace/object-batch';
import { binding, localState, status } from './client';

export interface Pruning {
  readonly topic: string;
  /** Shards pruned: the shard ref now at the prune root, the archive ref at the old tip, and what was dropped. */
  readonly pruned: readonly { readonly shard: number; readonly ref: string; readonly commit: string; readonly ulid: string; readonly old_tip: string; readonly archive: string; readonly segments: number; readonly last_ulid: string }[];
  /** Shards left as they are, and why. */
  readonly skipped: readonly { readonly shard: number; readonly reason: string }[];
  /** What to push: the shard refs forced, the archive refs created. */
  readonly push: readonly string[];
}

export async function prune(repo: GitRepo, topic: string, key: ActorKey, opts: { shard?: number; ts: number; random: () => Uint8Array }): Promise<Result<Pruning>> {
  const st = await localState(repo, topic);
  if (!st.ok) return st;
  if (!st.value) return err(gateError('NOT_FOUND', `topic ${topic} has no config`, { hint: 'fetch refs/gatos/mbus-config/*' }));
  const state = st.value;
  if (state.old) return err(gateError('USAGE', `${topic} is inside the dual-write window from version ${state.old.version} to ${state.config.version}: shards are pruned only under one map`, { hint: `flip it first: gatos bus reshard ${topic} --flip` }));
  const n = liveShards(state);
  if (opts.shard !== undefined && opts.shard >= n) return err(gateError('USAGE', `shard ${opts.shard} is not a shard of ${topic} (it has ${n})`, { hint: 'see gatos bus status' }));
  // The named subscribers' lag, read as the gate reads it.
  const s = await status(repo, topic);
  if (!s.ok) return s;
  const bind = await binding(repo);
  if (!bind.ok) return bind;
  const pruned: Pruning['pruned'][number][] = [];
  const skipped: { shard: number; reason: string }[] = [];
  const push: string[] = [];
  for (let shard = opts.shard ?? 0; shard < (opts.shard !== undefined ? opts.shard + 1 : n); shard++) {
    const ref = messageRef(topic, shard);
    const tip = await repo.readRef(ref);
    if (!tip.ok) return tip;
    if (!tip.value) {
      skipped.push({ shard, reason: 'it is empty' });
      continue;
    }
    const chain = await summaryChain(repo, tip.value);
    if (!chain.ok) return err(gateError('GIT_ERROR', chain.error.reason));
    const links = chain.value.chain;
    const payload = links ? prunePayload(links, chain.value.prev) : undefined;
    if (!links || !payload) {
      skipped.push({ shard, reason: `${chain.value.problem ?? 'nothing is sealed'} (rotate it first: gatos bus rotate)` });
      continue;
    }
    const due = pruneDue(state.config, links.length);
    if (due) {
      skipped.push({ shard, reason: due });
      continue;
    }
    const lagging = s.value.lag.filter((l) => l.shard === shard && l.unacked > 0);
    if (lagging.length > 0) {
      skipped.push({ shard, reason: `subscriber ${lagging.map((l) => `${l.subscriber} (${l.unacked} unacked)`).join(', ')} has not acked every message it would drop (the gate refuses it: ACK_TIMEOUT)` });
      continue;
    }
    const last = await readEnvelopeAt(repo, tip.value);
    if (!last.ok) return last;
    const ulid = nextUlid(opts.ts * 1000, opts.random(), last.value.envelope.ulid);
    if (!ulid.ok) return ulid;
    const enc = encodeEnvelope({ type: PRUNE_TYPE, ulid: ulid.value, actor: key.actor, ns: topic, caps: [pruneCap(topic)], payload, policy_root: bind.value.policyRoot, fold_root: bind.value.foldRoot, sig_alg: 'ed25519', ts: opts.ts });
    if (!enc.ok) return enc;
    const built = buildEventCommit(repo.format, enc.value, key, undefined);
    if (!built.ok) return built;
    const batch = new ObjectBatch(repo.format);
    batch.addAll(built.value.objects);
    const w = await batch.write(repo);
    if (!w.ok) return w;
    const archive = archiveRef(topic, shard, payload.last_ulid);
    const u = await repo.updateRefs(
      [
        { ref: archive, newId: tip.value, expectedId: repo.zeroId },
        { ref, newId: built.value.commit, expectedId: tip.value },
      ],
      { message: `gatos bus prune ${topic}` },
    );
    if (!u.ok) return u;
    pruned.push({ shard, ref, commit: built.value.commit, ulid: ulid.value, old_tip: tip.value, archive, segments: links.length, last_ulid: payload.last_ulid });
    push.push(`+${ref}`, archive);
  }
  if (opts.shard !== undefined && pruned.length === 0) return err(gateError('USAGE', `shard ${opts.shard} of ${topic} is not pruned: ${skipped[0]?.reason ?? 'nothing to drop'}`, { hint: 'see gatos bus status; the retention is --prune-segments of gatos bus reshard' }));
  return ok({ topic, pruned, skipped, push });
}
