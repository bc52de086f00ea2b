/**
 * Proof-of-Fold on refs/gatos/state/**: every new checkpoint is re-derived
 * from the previous verified checkpoint over the pushed window. The
 * verification itself belongs to the producer side (src/checkpoint); until
 * it is wired in here, a state push is refused with GATE_ERROR rather than
 * accepted unverified (fail closed). Adapter.
 */
import type { CheckFact, RefUpdate } from '../gate';
import type { Commit, GitRepo } from '../git';
import type { GateBundle } from './active-bundle';

export async function verifyCheckpoints(_repo: GitRepo, u: RefUpdate, commits: readonly Commit[], _active: GateBundle, _now: number): Promise<CheckFact[]> {
  return commits.map((c) => ({ ok: false, code: 'GATE_ERROR', reason: `checkpoint ${c.id} on ${u.ref}: this gate cannot verify Proof-of-Fold yet, so it refuses the checkpoint`, hint: 'ask the operator to upgrade the gate', commit: c.id }));
}
