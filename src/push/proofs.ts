/**
 * Proof envelopes on refs/gatos/audit/proofs/<ns> (src/proof): each commit
 * of the ref holds one `proof.json`. The roots a proof records are
 * recomputed here from the objects it names: the checkpoint's own
 * Proof-of-Fold (.gatos/proof.cbor: output_root = its state root,
 * inputs_root, fold_root, the bundle commit) and the bundle it names
 * (policy_root = sha256 of its compiled policy, checked by loadBundle). The
 * checkpoint must be on the namespace's state ref (as the server holds it
 * after this push), so the gate verified it when it landed. Used by the gate
 * (verifyProofCommits), `gatos prove` and `gatos verify`. Adapter.
 */
import { loadBundle, type LoadedBundle } from '../bundle';
import { readResumePoint } from '../checkpoint/make';
import { err, gateError, ok, type Result } from '../core/result';
import type { VerifyMemo } from '../events/memo';
import type { CheckFact } from '../gate';
import { resourceUri } from '../gate/resource';
import { isZeroId, type Commit, type GitRepo } from '../git';
import { checkCommitment, checkSubject, describeProblems, parseEnvelope, PROOF_ENVELOPE_FILE, type ProofEnvelope, type ProofSubject } from '../proof/envelope';
import type { TrustSet } from '../trust';
import { signerAuthority } from '../trust/authorize';
import { commitData, makeObject } from '../workspace/git-objects';

export const STATE_REF = (ns: string): string => `refs/gatos/state/${ns}`;
export const PROOFS_REF = (ns: string): string => `refs/gatos/audit/proofs/${ns}`;
/** The message of a proof commit (`gatos prove` writes it; the gate rebuilds the commit with it). */
export const proofMessage = (ns: string, checkpoint: string): string => `proof ${ns} ${checkpoint}\n`;

/**
 * What the objects say a proof of `checkpoint` in `ns` must record. `stateTip`:
 * the namespace's state ref as it stands (the gate: after this push); the
 * checkpoint must be on it.
 */
export async function subjectOf(repo: GitRepo, ns: string, checkpoint: string, stateTip: string | undefined, repoName: string, bundles?: Map<string, LoadedBundle>): Promise<Result<ProofSubject>> {
  if (!stateTip) return err(gateError('PROOF_INVALID', `${STATE_REF(ns)} does not exist: there is no checkpoint to prove`, { hint: 'push the checkpoint first (or in the same push), then its proof' }));
  const on = checkpoint === stateTip ? ok(true) : await repo.isAncestor(checkpoint, stateTip);
  if (!on.ok || !on.value) return err(gateError('PROOF_INVALID', `checkpoint ${checkpoint} is not on ${STATE_REF(ns)}`, { hint: 'prove a checkpoint of the namespace the proof ref names, after it landed' }));
  const cp = await readResumePoint(repo, checkpoint);
  if (!cp.ok) return cp;
  const p = cp.value.proof;
  if (p.ns !== ns) return err(gateError('PROOF_INVALID', `checkpoint ${checkpoint} is of namespace ${p.ns}, not ${ns}`));
  const bundle = await loadBundle(repo, p.policyRoot, bundles ? { loaded: bundles } : {});
  if (!bundle.ok) return bundle;
  return ok({
    ns,
    resource: resourceUri(repoName, ns, 'state'),
    checkpoint,
    bundle: p.policyRoot,
    inputsRoot: p.inputsRoot,
    outputRoot: p.stateRoot,
    policyRoot: bundle.value.manifest.policyCodeRoot,
    foldRoot: p.foldRoot,
  });
}

/** The envelope in a proof commit's tree, which must hold that one file and nothing else. */
export async function readProofCommit(repo: GitRepo, c: Pick<Commit, 'id' | 'tree'>): Promise<Result<ProofEnvelope>> {
  const tree = await repo.readTree(c.tree);
  if (!tree.ok) return err(gateError('PROOF_INVALID', `proof ${c.id}: its tree cannot be read: ${tree.error.message}`));
  const only = tree.value[0];
  if (tree.value.length !== 1 || !only || only.name !== PROOF_ENVELOPE_FILE || only.mode !== '100644') {
    return err(gateError('PROOF_INVALID', `proof ${c.id}: its tree must hold exactly one file, ${PROOF_ENVELOPE_FILE}`, { hint: 'write proofs with gatos prove' }));
  }
  const blob = await repo.readBlob(only.id);
  if (!blob.ok) return err(gateError('PROOF_INVALID', `proof ${c.id}: ${PROOF_ENVELOPE_FILE} cannot be read`));
  return parseEnvelope(blob.value, `proof ${c.id}: ${PROOF_ENVELOPE_FILE}`);
}

/**
 * Every problem of an envelope: the commitment and signature (offline), the
 * signer's key in `trust` at the proof's time, and each field against the
 * objects. Empty: the proof holds.
 */
export async function proofProblems(repo: GitRepo, e: ProofEnvelope, ns: string, stateTip: string | undefined, repoName: string, trust: TrustSet, bundles?: Map<string, LoadedBundle>): Promise<Result<string[]>> {
  const out: string[] = [];
  const own = checkCommitment(e);
  if (own.length > 0) out.push(describeProblems(own));
  const f = e.proof.fairness;
  const signer = signerAuthority(trust.graph, f.actor, f.key, f.ts);
  if (!signer.ok) out.push(`proof.fairness: ${signer.reason}`);
  const want = await subjectOf(repo, ns, e.checkpoint, stateTip, repoName, bundles);
  if (!want.ok) {
    if (want.error.code === 'GIT_ERROR') return want;
    out.push(`checkpoint ${want.error.message}`);
  } else {
    const diff = checkSubject(e, want.value);
    if (diff.length > 0) out.push(describeProblems(diff));
  }
  return ok(out);
}

/** The gate's check of each new commit on refs/gatos/audit/proofs/<ns>, oldest first. */
export async function verifyProofCommits(repo: GitRepo, ns: string, commits: readonly Commit[], active: { readonly trust: TrustSet }, memo: VerifyMemo, pushed: ReadonlyMap<string, string>, repoName: string): Promise<CheckFact[]> {
  const pushedTip = pushed.get(STATE_REF(ns));
  let stateTip: string | undefined = pushedTip !== undefined && !isZeroId(pushedTip) ? pushedTip : undefined;
  if (pushedTip === undefined) {
    const r = await repo.readRef(STATE_REF(ns));
    if (!r.ok) return commits.map((c) => ({ ok: false, code: 'GATE_ERROR', reason: `proof ${c.id}: ${r.error.message}`, commit: c.id }));
    stateTip = r.value;
  }
  const hint = 'write proofs with gatos prove, for a checkpoint on the namespace\'s state ref; a proof is never edited';
  const out: CheckFact[] = [];
  for (const c of commits) {
    if (c.parents.length > 1) {
      out.push({ ok: false, code: 'PROOF_INVALID', reason: `proof ${c.id} is a merge: proof refs are linear`, hint, commit: c.id });
      continue;
    }
    const e = await readProofCommit(repo, c);
    if (!e.ok) {
      out.push({ ok: false, code: 'PROOF_INVALID', reason: e.error.message, hint, commit: c.id });
      continue;
    }
    if (e.value.ns !== ns) {
      out.push({ ok: false, code: 'PROOF_INVALID', reason: `proof ${c.id}: ns is ${e.value.ns}, but the ref is ${PROOFS_REF(ns)}`, hint, commit: c.id });
      continue;
    }
    // Objects, not fields: the commit gatos prove writes for this envelope, its parents and its identities, and nothing else.
    const rebuilt = makeObject(repo.format, 'commit', commitData({ tree: c.tree, parents: c.parents, author: c.author, committer: c.committer, message: proofMessage(ns, e.value.checkpoint) })).id;
    const bytes = rebuilt === c.id ? [] : [`it is not the commit gatos prove writes for its envelope (${rebuilt}): a header or text beside it`];
    const problems = await proofProblems(repo, e.value, ns, stateTip, repoName, active.trust, memo.bundles);
    if (!problems.ok) out.push({ ok: false, code: 'GATE_ERROR', reason: `proof ${c.id}: ${problems.error.message}`, commit: c.id });
    else if (bytes.length + problems.value.length > 0) out.push({ ok: false, code: 'PROOF_INVALID', reason: `proof ${c.id}: ${[...bytes, ...problems.value].join('; ')}`, hint, commit: c.id });
    else out.push({ ok: true, detail: `proof ${c.id} of checkpoint ${e.value.checkpoint} holds` });
  }
  return out;
}
