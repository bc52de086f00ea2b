/**
 * Writing anchors (`gatos epoch new`) and compacting a namespace's epoch refs
 * (`gatos epoch compact`), docs/epochs.md. Adapter (git).
 */
import { nextUlid } from '../canon/ulid';
import { err, gateError, ok, type Result } from '../core/result';
import { encodeEnvelope, resolveBinding } from '../events';
import { buildEventCommit } from '../events/commit';
import { chainTip, type ChainLink } from '../gate/epoch';
import type { GitRepo } from '../git';
import type { ActorKey } from '../keys';
import { ObjectBatch } from '../workspace/object-batch';
import { ANCHOR_TYPE, anchorPayload, epochRef, type AnchorPayload } from './anchor';
import { epochContext, listAnchors, linkOf } from './read';

export interface NewEpoch {
  readonly ref: string;
  readonly commit: string;
  readonly epoch: string;
  readonly payload: AnchorPayload;
}

/**
 * A new anchor for `ns` over the repository's refs (fetch first): it follows
 * the chain's last anchor, records every journal head of the namespace and
 * the state checkpoint, which must end exactly at those heads (so the
 * boundary has one state root). Writes the objects and creates the local
 * ref refs/gatos/epoch/<ns>/<epoch-id>; pushing it is the caller's.
 */
export async function newEpoch(repo: GitRepo, ns: string, key: ActorKey, ts: number, random: () => Uint8Array): Promise<Result<NewEpoch>> {
  const binding = await resolveBinding(repo, ns, key.actor);
  if (!binding.ok) return binding;
  const ctx = await epochContext(repo, ns);
  if (!ctx.ok) return ctx;
  const { anchors, heads, state } = ctx.value;
  const tip = chainTip(anchors);
  if (anchors.length > 0 && !tip) return err(gateError('EPOCH_BROKEN', `namespace ${ns} has ${anchors.length} anchors but no single last one: the chain is forked or broken`, { hint: 'list it with gatos epoch compact --dry-run on the server' }));
  if (heads.size === 0) return err(gateError('NOT_FOUND', `namespace ${ns} has no journal here`, { hint: 'fetch refs/gatos/* first (git fetch origin "+refs/gatos/*:refs/gatos/*")' }));
  // The gate's rule (src/gate/epoch.ts): the checkpoint ends at exactly these heads, every journal of the namespace.
  if (state) {
    for (const [ref, head] of heads) {
      if (state.ends.get(ref) !== head) return err(gateError('USAGE', `the checkpoint ${state.checkpoint} on refs/gatos/state/${ns} ends ${ref} at ${state.ends.get(ref) ?? '(nothing)'}, but its head is ${head}: an epoch starts at a checkpoint of its heads`, { hint: `fold and push a checkpoint first: gatos fold checkpoint --ns ${ns}, git push origin refs/gatos/state/${ns}` }));
    }
  }
  const payload: AnchorPayload = { seq: tip ? tip.seq + 1 : 1, prev: tip?.commit ?? null, heads, state: state ? { checkpoint: state.checkpoint, stateRoot: state.stateRoot } : null };
  const ulid = nextUlid(ts * 1000, random(), tip?.epoch);
  if (!ulid.ok) return ulid;
  const enc = encodeEnvelope({ type: ANCHOR_TYPE, ulid: ulid.value, actor: key.actor, ns, caps: [], payload: anchorPayload(payload), policy_root: binding.value.policyRoot, fold_root: binding.value.foldRoot, sig_alg: 'ed25519', ts });
  if (!enc.ok) return enc;
  const built = buildEventCommit(repo.format, enc.value, key, tip?.commit);
  if (!built.ok) return built;
  const ref = epochRef(ns, ulid.value);
  if (!ref.ok) return ref;
  const batch = new ObjectBatch(repo.format);
  batch.addAll(built.value.objects);
  const w = await batch.write(repo);
  if (!w.ok) return w;
  const u = await repo.updateRefs([{ ref: ref.value, newId: built.value.commit, expectedId: repo.zeroId }], { message: 'gatos epoch new' });
  if (!u.ok) return u;
  return ok({ ref: ref.value, commit: built.value.commit, epoch: ulid.value, payload });
}

export interface CompactionPlan {
  readonly ns: string;
  /** The chain, first anchor first: kept. */
  readonly chain: readonly ChainLink[];
  /** Epoch refs of the namespace off the chain (a fork's loser, an orphan): deleted. */
  readonly deleteRefs: readonly { readonly ref: string; readonly id: string; readonly why: string }[];
  /** Objects that only the deleted refs reach: unreferenced once they go. */
  readonly unreferenced: readonly string[];
}

/**
 * What compaction of `ns` removes: every epoch ref that is not on the chain
 * ending at the latest anchor, and the objects only those refs reach (no
 * other ref of the repository, so no journal, state, policy, audit or chain
 * anchor, reaches them). Nothing on the chain, and nothing any other ref
 * reaches, is ever in the plan.
 */
export async function compactionPlan(repo: GitRepo, ns: string): Promise<Result<CompactionPlan>> {
  const anchors = await listAnchors(repo, ns);
  if (!anchors.ok) return anchors;
  const links = anchors.value.map(linkOf);
  const byCommit = new Map(links.map((l) => [l.commit, l]));
  // The chain's end: the latest anchor by epoch id whose links reach a first anchor.
  const ordered = [...links].sort((a, b) => (a.epoch < b.epoch ? 1 : a.epoch > b.epoch ? -1 : 0));
  let chain: ChainLink[] = [];
  for (const end of ordered) {
    const c: ChainLink[] = [];
    let at: ChainLink | undefined = end;
    while (at) {
      c.unshift(at);
      if (at.prev === null) break;
      at = byCommit.get(at.prev);
    }
    if (c[0]?.prev === null && c.every((l, i) => l.seq === i + 1)) {
      chain = c;
      break;
    }
  }
  const onChain = new Set(chain.map((l) => l.ref));
  const deleteRefs = links.filter((l) => !onChain.has(l.ref)).map((l) => ({ ref: l.ref, id: l.commit, why: l.prev !== null && !byCommit.has(l.prev) ? 'its previous anchor is missing' : 'not on the chain ending at the latest anchor' }));
  let unreferenced: string[] = [];
  if (deleteRefs.length > 0) {
    const all = await repo.forEachRef([]);
    if (!all.ok) return err(all.error);
    const gone = new Set(deleteRefs.map((d) => d.ref));
    const keep = all.value.filter((r) => !gone.has(r.ref)).map((r) => r.id);
    const r = await repo.run(['rev-list', '--objects', '--no-object-names', '--stdin'], { input: `${deleteRefs.map((d) => d.id).join('\n')}\n${keep.map((k) => `^${k}`).join('\n')}\n` });
    if (!r.ok) return err(r.error);
    unreferenced = r.value.stdout.toString('utf8').split('\n').filter((l) => l !== '').sort();
  }
  return ok({ ns, chain, deleteRefs, unreferenced });
}

/**
 * Carries out a plan: deletes its refs by compare-and-swap (a ref that moved
 * since the plan fails the run, nothing deleted), then `git gc
 * --prune=<expire>`: packed and loose objects no ref or reflog reaches, older
 * than `expire`, go; everything any ref reaches stays (git's own rule).
 */
export async function compact(repo: GitRepo, plan: CompactionPlan, expire: string): Promise<Result<{ pruned: boolean }>> {
  if (plan.deleteRefs.length > 0) {
    const u = await repo.updateRefs(plan.deleteRefs.map((d) => ({ ref: d.ref, newId: repo.zeroId, expectedId: d.id })), { message: 'gatos epoch compact' });
    if (!u.ok) return u;
  }
  const pr = await repo.run(['gc', '--quiet', `--prune=${expire}`]);
  if (!pr.ok) return err(pr.error);
  return ok({ pruned: true });
}
