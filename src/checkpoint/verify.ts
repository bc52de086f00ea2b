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
import type { VerifyMemo } from '../events/memo';
import { isObjectId, type GitRepo } from '../git';
import { describeTrailerProblems, parseCheckpointTrailers, parseTrailers, trailerValues } from '../trailers';
import { authorize } from '../trust';
import { anyRefMatcher } from '../fold/glob';
import { compareStamps, describeEvent } from '../fold/order';
import { commitData, filesToObjects, objectId } from '../workspace/git-objects';
import { allAfter, computeCheckpoint } from './compute';
import { checkpointMessage, foldReadsNamespace, readCheckpoint, readResumePoint, readWindows } from './make';
import { FOLD_STATE_FILE, inputsRoot, PROOF_FILE, type Proof, type Stamp } from './proof';

export interface Verified {
  readonly commit: string;
  readonly proof: Proof;
  readonly files: number;
}

export interface VerifyOptions {
  /**
   * The journal heads completeness is judged against (the gate: the server's
   * journal refs as this push leaves them). The window must then name exactly
   * the journals among them that the fold's inputs match, each window end on
   * its journal. Without it (gatos fold verify) only the rules a checkpoint
   * carries in itself and its parent are checked.
   */
  readonly journals?: ReadonlyMap<string, string>;
  /** What this run verified so far (the gate: one per push): the bundles it loaded and the events it verified, which the window reads need not read again. */
  readonly memo?: VerifyMemo;
}

/** The hint of every refusal whose window ends are on no journal of the server (the hooks recognise it). */
export const PUSH_JOURNALS_FIRST = 'push the journals first (or in the same push), then the checkpoint';

function differs(code: ErrorCode, commit: string, message: string, hint = 'the checkpoint does not match its window; recompute it with gatos fold checkpoint'): Result<never> {
  return err(gateError(code, `checkpoint ${commit}: ${message}`, { hint }));
}

/** `ancestor` is `descendant` or one of its ancestors; on linear history by walking the distance only. */
async function descends(repo: GitRepo, ancestor: string, descendant: string): Promise<Result<boolean>> {
  if (ancestor === descendant) return ok(true);
  const lin = await repo.linearRange(ancestor, descendant);
  if (lin.ok && lin.value) return ok(lin.value.ancestor);
  const a = await repo.isAncestor(ancestor, descendant);
  return a.ok ? ok(a.value) : err(a.error);
}

/**
 * Recomputes the checkpoint `commit` and checks every rule the producer
 * (make.ts) applies, so that for the same journal heads exactly one
 * checkpoint verifies: the fold reads the namespace, the window names only
 * journals the fold reads and drops or rewinds none its parent folded, a
 * resumed window holds only events after the parent's watermark (unless the
 * fold is order-insensitive), and the commit object is byte for byte the one
 * the producer writes (its id is rebuilt and compared).
 */
export async function verifyCheckpoint(repo: GitRepo, commit: string, opts: VerifyOptions = {}): Promise<Result<Verified>> {
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
  const bundle = await loadBundle(repo, proof.policyRoot, opts.memo ? { loaded: opts.memo.bundles } : {});
  if (!bundle.ok) return bundle;
  // The producer's rule: the folding actor's key at the proof's time; which capability a checkpoint needs is the gate's rule (src/gate/authority.ts).
  const signer = authorize(bundle.value.trust, { actor: proof.actor, key: proof.key, at: proof.ts, ns: proof.ns, caps: [] });
  if (!signer.ok) return differs(signer.code, commit, `the folding actor: ${signer.reason} in bundle ${proof.policyRoot}`, signer.hint);
  if ((c.value.parents[0] ?? null) !== proof.prev || c.value.parents.length > 1) return differs('PROOF_INVALID', commit, `its parent ${c.value.parents.join(', ') || '(none)'} is not the proof's prev ${proof.prev ?? '(none)'}`);
  const who = actorIdentity(proof.actor, proof.ts);
  for (const [role, id] of [['author', c.value.author], ['committer', c.value.committer]] as const) {
    if (id.name !== who.name || id.email !== who.email || id.seconds !== who.seconds || id.tz !== who.tz) return differs('PROOF_INVALID', commit, `its ${role} is not the folding actor at the proof's time`);
  }
  if (bundle.value.manifest.policyCodeRoot !== proof.policyCodeRoot) return differs('PROOF_INVALID', commit, `policy_code_root ${proof.policyCodeRoot} is not the bundle's ${bundle.value.manifest.policyCodeRoot}`);
  const fold = bundle.value.fold(proof.foldId);
  if (!fold.ok) return fold;
  const entry = fold.value.entry;
  if (entry.foldRoot !== proof.foldRoot) return differs('PROOF_INVALID', commit, `fold_root ${proof.foldRoot} is not the root of fold '${proof.foldId}' in the bundle (${entry.foldRoot})`);
  const runtime = fold.value.runtime;
  if (runtime.engine !== proof.foldEngine) return differs('PROOF_INVALID', commit, `it was folded by ${proof.foldEngine}; this verifier runs ${runtime.engine}`, 'verify with the gatos version that wrote it');
  if (blake3Text(savedState) !== proof.foldStateRoot) return differs('PROOF_INVALID', commit, `${FOLD_STATE_FILE} does not have the proof's fold_state_root`);
  // The fold is bound to the namespace the state is written to (chooseFold's rule).
  const inputs = entry.inputs.join(', ');
  if (!foldReadsNamespace(entry, proof.ns)) return differs('PROOF_INVALID', commit, `fold '${proof.foldId}' does not read the journals of namespace ${proof.ns} (its inputs: ${inputs})`, `checkpoint ${proof.ns} with a fold whose inputs match refs/gatos/journal/${proof.ns}/...`);
  const reads = anyRefMatcher(entry.inputs);
  for (const w of proof.window) {
    const j = parseJournalRef(w.journal);
    if (!j.ok) return differs('PROOF_INVALID', commit, `window journal ${w.journal}: ${j.error.message}`);
    if (!reads(w.journal)) return differs('PROOF_INVALID', commit, `the window names ${w.journal}, which the inputs of fold '${proof.foldId}' (${inputs}) do not match`, 'a window names only the journals its fold reads: recompute it with gatos fold checkpoint');
    for (const id of [w.start, w.end]) {
      if (id === null) continue;
      if (!isObjectId(repo.format, id)) return differs('PROOF_INVALID', commit, `the window of ${w.journal} names ${JSON.stringify(id.slice(0, 80))}, which is not a ${repo.format} object id`);
      const info = await repo.objectInfo(id);
      if (!info.ok && info.error.kind === 'missing') return differs('PROOF_INVALID', commit, `the window of ${w.journal} names commit ${id}, which this repository does not hold`, PUSH_JOURNALS_FIRST);
      if (!info.ok) return err(info.error);
      if (info.value.type !== 'commit') return differs('PROOF_INVALID', commit, `the window of ${w.journal} names ${id}, a ${info.value.type}, not an event commit`);
    }
  }
  // Completeness against the repository's journals: every journal the fold reads, each end on its journal.
  if (opts.journals) {
    const named = new Set(proof.window.map((w) => w.journal));
    const left = [...opts.journals.keys()].filter((j) => reads(j) && !named.has(j)).sort();
    if (left.length > 0) return differs('PROOF_INVALID', commit, `the window leaves out ${left.join(', ')}, which the inputs of fold '${proof.foldId}' match in this repository`, 'a checkpoint folds every journal its fold reads: fetch, then recompute it with gatos fold checkpoint');
    for (const w of proof.window) {
      const head = opts.journals.get(w.journal);
      const on = head ? await descends(repo, w.end, head) : ok(false);
      if (!on.ok) return on;
      if (!on.value) return differs('PROOF_INVALID', commit, `it folds events the server has not accepted: ${w.end} is not on ${w.journal} in this repository`, PUSH_JOURNALS_FIRST);
    }
  }

  let base: Uint8Array | null = null;
  let baseWatermark: Stamp | null = null;
  const known = new Map<string, readonly string[]>();
  let parentProof: Proof | undefined;
  if (proof.prev) {
    // No checkpoint drops or rewinds a journal its parent folded (that its fold reads), resumed or not.
    const parent = await readResumePoint(repo, proof.prev);
    if (!parent.ok) return parent;
    parentProof = parent.value.proof;
    const pp = parentProof;
    const here = new Map(proof.window.map((w) => [w.journal, w]));
    for (const pw of pp.window) {
      if (proof.base !== 'resume' && !reads(pw.journal)) continue;
      const w = here.get(pw.journal);
      if (!w) return differs('PROOF_INVALID', commit, `the window drops ${pw.journal}, which the parent folded`, 'a checkpoint never forgets a journal its parent folded: recompute it with gatos fold checkpoint');
      if (proof.base === 'scratch') {
        const d = await descends(repo, pw.end, w.end);
        if (!d.ok) return d;
        if (!d.value) return differs('PROOF_INVALID', commit, `the window rewinds ${pw.journal}: it ends at ${w.end}, which does not descend from ${pw.end}, where the parent folded it`, 'a checkpoint never forgets events its parent folded: recompute it with gatos fold checkpoint');
      }
    }
    if (proof.base === 'resume') {
      if (blake3Text(parent.value.savedState) !== pp.foldStateRoot) return differs('PROOF_INVALID', commit, `the parent's ${FOLD_STATE_FILE} does not match its own proof`);
      if (pp.foldRoot !== proof.foldRoot || pp.foldEngine !== proof.foldEngine) return differs('PROOF_INVALID', commit, 'it resumes from a checkpoint of another fold or engine');
      const parentEnds = new Map(pp.window.map((w) => [w.journal, w.end]));
      for (const w of proof.window) {
        const expected = parentEnds.get(w.journal) ?? null;
        if (w.start !== expected) return differs('PROOF_INVALID', commit, `the window of ${w.journal} starts at ${w.start ?? '(beginning)'}, but the parent folded up to ${expected ?? '(nothing)'}`);
      }
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
    }
  } else if (proof.base === 'resume') {
    return differs('PROOF_INVALID', commit, "base 'resume' without a previous checkpoint");
  }
  if (proof.base === 'scratch' && proof.window.some((w) => w.start !== null)) {
    return differs('PROOF_INVALID', commit, "base 'scratch' with a window that does not start at the beginning");
  }
  const read = await readWindows(repo, proof.window, known, opts.memo);
  if (!read.ok) return read;
  for (let i = 0; i < proof.window.length; i++) {
    const w = proof.window[i];
    if (w && read.value.counts[i] !== w.events) return differs('PROOF_INVALID', commit, `the window of ${w.journal} holds ${read.value.counts[i]} events, the proof says ${w.events}`);
  }
  const total = read.value.counts.reduce((a, b) => a + b, 0);
  if (total !== proof.events) return differs('PROOF_INVALID', commit, `the window holds ${total} events, the proof says ${proof.events}`);
  // The producer resumes an order-sensitive fold only when every new event sorts after the watermark; otherwise it refolds.
  if (proof.base === 'resume' && runtime.kind !== 'yaml' && !allAfter(baseWatermark, read.value.events)) {
    const late = read.value.events.find((e) => baseWatermark !== null && compareStamps(e, baseWatermark) <= 0);
    return differs('PROOF_INVALID', commit, `it resumes, but ${late ? describeEvent(late) : 'an event'} sorts before the parent's watermark ${baseWatermark ? describeEvent(baseWatermark) : ''}: folding it last differs from folding in order`, 'the producer refolds from scratch in this case: recompute it with gatos fold checkpoint');
  }
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
  // Whole objects, not fields: the tree and the commit the producer writes for these files and this proof.
  const treeFiles = new Map(r.files);
  treeFiles.set(FOLD_STATE_FILE, r.savedState);
  treeFiles.set(PROOF_FILE, proofBytes);
  const tree = filesToObjects(repo.format, treeFiles).root;
  if (tree !== c.value.tree) return differs('PROOF_INVALID', commit, `its tree ${c.value.tree} is not the tree the producer writes for these files (${tree}): an extra entry, an empty folder or another mode`);
  const rebuilt = objectId(repo.format, 'commit', commitData({ tree, parents: proof.prev ? [proof.prev] : [], author: who, committer: who, message: expected.value }));
  if (rebuilt !== c.value.id) return differs('PROOF_INVALID', commit, `its commit object is not the one the producer writes (${rebuilt}): extra headers, or bytes beyond tree, parent, author, committer and message`);
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
