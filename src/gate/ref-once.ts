/**
 * One update per ref in a push. A client speaking receive-pack itself (git's
 * own refuses to) can list a ref twice; git then writes the first update and
 * refuses the second unless it starts where the first ended, while every
 * check that reads "the state this push leaves" (a session merge, a proof,
 * an epoch anchor, a checkpoint's journals) could only guess which one
 * lands. The gate does not guess: every update of a ref named more than
 * once is refused, in every mode. Pure.
 */
import type { Denial, RefDecision } from './decide';
import { RULES } from './rules';

/** `decisions` with each update of a ref that the push names more than once refused. */
export function oneUpdatePerRef(decisions: readonly RefDecision[]): RefDecision[] {
  const count = new Map<string, number>();
  for (const d of decisions) count.set(d.ref, (count.get(d.ref) ?? 0) + 1);
  return decisions.map((d) => {
    const n = count.get(d.ref) ?? 0;
    if (n < 2) return d;
    const denial: Denial = { ref: d.ref, code: 'POLICY_DENY', ruleId: RULES.refOnce.id, reason: `${d.ref} is updated ${n} times in this push; git would write one of them and refuse the others, so no check can know what the push leaves`, hint: RULES.refOnce.hint, enforced: true };
    return { ...d, allowed: false, denials: [...d.denials, denial] };
  });
}
