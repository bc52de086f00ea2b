/**
 * Checkpoints folded under an older bundle. The adapter refuses a checkpoint
 * whose Policy-Root is not the active bundle or one of its ancestors; one
 * folded under an ancestor arrives verified, marked `olderBundle`. Whether it
 * may land is the policy's call, through the request attribute `checkpoint`
 * ({policy_root_matches_active, fold_root_matches_active}), but only a policy
 * that names `checkpoint` at all has made that call: for any other the gate
 * refuses, as it always did, so an existing policy never starts accepting
 * stale checkpoints because a new attribute appeared. Pure.
 */
import type { CompiledPolicy } from '../rgs';
import type { Ir } from '../rgs/ir';
import type { Denial } from './decide';
import type { UpdateFacts } from './facts';
import { RULES } from './rules';

const ATTRIBUTE = 'checkpoint';

function mentions(e: Ir | null, name: string): boolean {
  if (e === null) return false;
  const stack: unknown[] = [e];
  while (stack.length > 0) {
    const n = stack.pop();
    if (!Array.isArray(n)) continue;
    if (n[0] === 'attr' && n[1] === name) return true;
    for (const c of n) if (Array.isArray(c)) stack.push(c);
  }
  return false;
}

/** Whether any rule of the policy reads the `checkpoint` attribute. */
export function policyDecidesCheckpointBundles(policy: CompiledPolicy): boolean {
  // Walked once per state-ref update, not memoized: a few rules' conditions, and no state kept between pushes.
  return policy.rules.some((p) => mentions(p.rule.when, ATTRIBUTE) || p.rule.deny.some((x) => mentions(x, ATTRIBUTE)) || p.rule.allow.some((x) => mentions(x, ATTRIBUTE)));
}

/** The `checkpoint` request attribute of a state-ref update, when it brings verified checkpoints. */
export function checkpointAttribute(facts: UpdateFacts): { policy_root_matches_active: boolean; fold_root_matches_active: boolean } | undefined {
  const verified = facts.checkpoints.filter((c) => c.ok);
  if (verified.length === 0) return undefined;
  return {
    policy_root_matches_active: verified.every((c) => c.ok && c.olderBundle === undefined),
    fold_root_matches_active: verified.every((c) => c.ok && (c.olderBundle === undefined || c.olderBundle.foldRootMatches)),
  };
}

/** The gate's refusal of older-bundle checkpoints under a policy that does not decide them. */
export function olderBundleDenials(ref: string, facts: UpdateFacts, policy: CompiledPolicy, activeCommit: string): Omit<Denial, 'enforced'>[] {
  // Most updates bring no older-bundle checkpoint: the policy's rules are walked only when one does.
  if (!facts.checkpoints.some((c) => c.ok && c.olderBundle !== undefined) || policyDecidesCheckpointBundles(policy)) return [];
  const out: Omit<Denial, 'enforced'>[] = [];
  for (const c of facts.checkpoints) {
    if (!c.ok || c.olderBundle === undefined) continue;
    const o = c.olderBundle;
    out.push({
      ref,
      code: 'PROOF_INVALID',
      ruleId: RULES.proof.id,
      reason: `checkpoint ${o.commit}: its Policy-Root ${o.policyRoot} is an older bundle, not the active bundle ${activeCommit}${o.foldRootMatches ? '' : ', and its Fold-Root is not a fold of the active bundle'}`,
      hint: 'fetch refs/gatos/policies/active and recompute the checkpoint (a policy can allow older bundles through checkpoint.policy_root_matches_active)',
      commit: o.commit,
    });
  }
  return out;
}
