/**
 * `gatos fold verify`: recompute a checkpoint over its declared window and
 * compare everything it claims (docs/formats.md §8). The answer is
 * `identical` or the first difference, as an error value with its code
 * (PROOF_INVALID for a mismatch). Adapter (reads git).
 */
import { eventCid } from '../canon/cid';
import { blake3Text } from '../canon/digest';
import { parseSignature, verify } from '../canon/ed25519';
import { bytesEqual, fromHex } from '../core/bytes';
import type { ErrorCode } from '../core/codes';
import { actorIdentity, parseJournalRef, STATE_PREFIX } from '../actors';
import { err, gateError, ok, type Result } from '../core/result';
import { loadBundle } from '../bundle/load';
import type { GitRepo } from '../git';
import { describeTrailerProblems, parseCheckpointTrailers, parseTrailers, trailerValues } from '../trailers';
import { formatTime, keyValidAt } from '../trust';
import { computeCheckpoint } from './compute';
import { checkpointMessage, readCheckpoint, readWindows } from './make';
import { FOLD_STATE_FILE, inputsRoot, PROOF_FILE, type Proof } from './proof';

export interface Verified {
  readonly commit: string;
  readonly proof: Proof;
  readonly files: number;
}

function differs(code: ErrorCode, commit: string, message: string, hint = 'the checkpoint does not match its window; recompute it with gatos fold checkpoint'): Result<never> {
  return err(gateError(code, `checkpoint ${commit}: ${message}`, { hint }));
}

export async function verifyCheckpoint(repo: GitRepo, commit: string): Promise<Result<Verified>> {
  const c = await repo.readCommit(commit);
  if (!c.ok) return err(gateError('NOT_FOUND', `${commit} is not a commit in this repository`, { hint: 'name a state ref or a checkpoint commit' }));
  const message = c.value.message ?? '';
  const typed = parseCheckpointTrailers(message, repo.format, { source: `commit ${commit.slice(0, 12)}` });
  if (!typed.ok) return differs('TRAILER_INVALID', commit, `its trailers are not a checkpoint's:\n${describeTrailerProblems(typed.error, message)}`, 'write checkpoints with gatos fold checkpoint');
  const cp = await readCheckpoint(repo, commit);
  if (!cp.ok) return cp;
  const { proof, files, savedState } = cp.value;
  const proofBytes = files.get(PROOF_FILE) as Uint8Array;
  const trailers = parseTrailers(message);
  const one = (key: string): string | undefined => {
    const v = trailerValues(trailers, key);
    return v.length === 1 ? v[0] : undefined;
  };
  if (one('Proof-CID') !== eventCid(proofBytes)) return differs('PROOF_INVALID', commit, `Proof-CID ${one('Proof-CID') ?? '(missing)'} does not name ${PROOF_FILE}`);
  if (one('Signer') !== proof.key) return differs('PROOF_INVALID', commit, `Signer ${one('Signer') ?? '(missing)'} is not the proof's key ${proof.key}`);
  const sig = parseSignature(one('Proof-Sig') ?? '');
  const key = fromHex(proof.key.replace(/^ed25519:/, ''));
  if (!sig.ok || !key || !verify(key, proofBytes, sig.value)) return differs('SIG_INVALID', commit, `Proof-Sig does not verify over ${PROOF_FILE} with ${proof.key}`, 'the proof or its signature was changed after signing');
  const bundle = await loadBundle(repo, proof.policyRoot);
  if (!bundle.ok) return bundle;
  const rec = bundle.value.trust.graph.actors.get(proof.actor);
  if (!rec || !keyValidAt(rec, proof.key, proof.ts)) return differs('POLICY_DENY', commit, `${proof.key} is not a key of ${proof.actor} valid at ${formatTime(proof.ts)} in bundle ${proof.policyRoot}`, 'the folding actor must be trusted with that key');
  if ((c.value.parents[0] ?? null) !== proof.prev || c.value.parents.length > 1) return differs('PROOF_INVALID', commit, `its parent ${c.value.parents.join(', ') || '(none)'} is not the proof's prev ${proof.prev ?? '(none)'}`);
  const who = actorIdentity(proof.actor, proof.ts);
  for (const [role, id] of [['author', c.value.author], ['committer', c.value.committer]] as const) {
    if (id.name !== who.name || id.email !== who.email || id.seconds !== who.seconds || id.tz !== who.tz) return differs('PROOF_INVALID', commit, `its ${role} is not the folding actor at the proof's time`);
  }
  if (bundle.value.manifest.policyCodeRoot !== proof.policyCodeRoot) return differs('PROOF_INVALID', commit, `policy_code_root ${proof.policyCodeRoot} is not the bundle's ${bundle.value.manifest.policyCodeRoot}`);
  const fold = bundle.value.fold(proof.foldId);
  if (!fold.ok) return fold;
  if (fold.value.entry.foldRoot !== proof.foldRoot) return differs('PROOF_INVALID', commit, `fold_root ${proof.foldRoot} is not the root of fold '${proof.foldId}' in the bundle (${fold.value.entry.foldRoot})`);
  const runtime = fold.value.runtime;
  if (runtime.engine !== proof.foldEngine) return differs('PROOF_INVALID', commit, `it was folded by ${proof.foldEngine}; this verifier runs ${runtime.engine}`, 'verify with the gatos version that wrote it');
  if (blake3Text(savedState) !== proof.foldStateRoot) return differs('PROOF_INVALID', commit, `${FOLD_STATE_FILE} does not have the proof's fold_state_root`);
  for (const w of proof.window) {
    const j = parseJournalRef(w.journal);
    if (!j.ok) return differs('PROOF_INVALID', commit, `window journal ${w.journal}: ${j.error.message}`);
  }

  let base: Uint8Array | null = null;
  let baseWatermark = null;
  const known = new Map<string, readonly string[]>();
  if (proof.base === 'resume') {
    if (!proof.prev) return differs('PROOF_INVALID', commit, "base 'resume' without a previous checkpoint");
    const parent = await readCheckpoint(repo, proof.prev);
    if (!parent.ok) return parent;
    const pp = parent.value.proof;
    if (blake3Text(parent.value.savedState) !== pp.foldStateRoot) return differs('PROOF_INVALID', commit, `the parent's ${FOLD_STATE_FILE} does not match its own proof`);
    if (pp.foldRoot !== proof.foldRoot || pp.foldEngine !== proof.foldEngine) return differs('PROOF_INVALID', commit, 'it resumes from a checkpoint of another fold or engine');
    const parentEnds = new Map(pp.window.map((w) => [w.journal, w.end]));
    for (const w of proof.window) {
      const expected = parentEnds.get(w.journal) ?? null;
      if (w.start !== expected) return differs('PROOF_INVALID', commit, `the window of ${w.journal} starts at ${w.start ?? '(beginning)'}, but the parent folded up to ${expected ?? '(nothing)'}`);
    }
    for (const j of parentEnds.keys()) if (!proof.window.some((w) => w.journal === j)) return differs('PROOF_INVALID', commit, `the window drops ${j}, which the parent folded`);
    for (const w of proof.window) {
      if (w.start) {
        // The window is read along its linear history anyway; git's general walk only when that finds no answer.
        const lin = await repo.linearRange(w.start, w.end);
        if (lin.ok && lin.value?.ancestor) {
          // The same walk lists the window's commits for reading it: not walked twice.
          known.set(w.journal, lin.value.ids);
          continue;
        }
        const ff = await repo.isAncestor(w.start, w.end);
        if (!ff.ok) return err(ff.error);
        if (!ff.value) return differs('PROOF_INVALID', commit, `${w.journal} was rewritten: ${w.start} is not an ancestor of ${w.end}`);
      }
    }
    base = parent.value.savedState;
    baseWatermark = pp.watermark;
  } else if (proof.window.some((w) => w.start !== null)) {
    return differs('PROOF_INVALID', commit, "base 'scratch' with a window that does not start at the beginning");
  }
  const read = await readWindows(repo, proof.window, known);
  if (!read.ok) return read;
  for (let i = 0; i < proof.window.length; i++) {
    const w = proof.window[i];
    if (w && read.value.counts[i] !== w.events) return differs('PROOF_INVALID', commit, `the window of ${w.journal} holds ${read.value.counts[i]} events, the proof says ${w.events}`);
  }
  const total = read.value.counts.reduce((a, b) => a + b, 0);
  if (total !== proof.events) return differs('PROOF_INVALID', commit, `the window holds ${total} events, the proof says ${proof.events}`);
  const again = computeCheckpoint(runtime, base, baseWatermark, read.value.events);
  if (!again.ok) return again;
  const r = again.value;
  const emitted = new Map([...files].filter(([p]) => p !== PROOF_FILE && p !== FOLD_STATE_FILE));
  for (const [p, bytes] of r.files) {
    const have = emitted.get(p);
    if (!have) return differs('PROOF_INVALID', commit, `first difference: ${p} is missing from the checkpoint`);
    if (!bytesEqual(have, bytes)) return differs('PROOF_INVALID', commit, `first difference: ${p} differs from the refolded state`);
  }
  for (const p of [...emitted.keys()].sort()) if (!r.files.has(p)) return differs('PROOF_INVALID', commit, `first difference: ${p} is in the checkpoint but the fold does not emit it`);
  if (r.stateRoot !== proof.stateRoot) return differs('PROOF_INVALID', commit, `state_root ${proof.stateRoot} differs from the refolded ${r.stateRoot}`);
  if (!bytesEqual(r.savedState, savedState)) return differs('PROOF_INVALID', commit, `${FOLD_STATE_FILE} differs from the refolded state`);
  if (JSON.stringify(r.watermark) !== JSON.stringify(proof.watermark)) return differs('PROOF_INVALID', commit, 'the watermark differs from the refolded one');
  if (inputsRoot(new Map(proof.window.map((w) => [w.journal, w.end]))) !== proof.inputsRoot) return differs('PROOF_INVALID', commit, 'inputs_root does not name the window heads');
  const expected = checkpointMessage(proof, proofBytes, (sig as { value: Uint8Array }).value, read.value.events, runtime.usesRng);
  const hasRng = trailerValues(trailers, 'Fold-RNG').length > 0;
  if (hasRng !== runtime.usesRng) return differs('PROOF_INVALID', commit, runtime.usesRng ? `fold '${proof.foldId}' uses the RNG but the checkpoint has no Fold-RNG trailer` : `it has a Fold-RNG trailer but fold '${proof.foldId}' does not use the RNG`);
  if (!expected.ok || expected.value !== message) return differs('PROOF_INVALID', commit, 'its message or trailers are not the ones its proof determines (State-Root, Ledger-Head, Policy-Root, Fold-Root, Fold-RNG, ...)');
  return ok({ commit, proof, files: r.files.size });
}

/** A state ref or commit id to a commit id. */
export async function resolveCheckpoint(repo: GitRepo, target: string): Promise<Result<string>> {
  if (target.startsWith('refs/')) {
    const r = await repo.readRef(target);
    if (!r.ok) return err(r.error);
    if (!r.value) return err(gateError('NOT_FOUND', `${target} does not exist`, { hint: `state refs are ${STATE_PREFIX}<ns>` }));
    return ok(r.value);
  }
  return ok(target);
}
