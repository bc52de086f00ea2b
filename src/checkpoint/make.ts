/**
 * `gatos fold checkpoint`: fold a namespace's journals with the active
 * bundle's fold, incrementally from the last checkpoint when that gives the
 * same bytes as starting over (docs/formats.md §8), and commit the emitted
 * state, the saved fold state and a signed Proof-of-Fold to
 * refs/gatos/state/<ns> by compare-and-swap. Adapter (git).
 */
import { appendAll } from '../core/arrays';
import { eventCid } from '../canon/cid';
import { formatPublicKey, formatSignature } from '../canon/ed25519';
import { signFast } from '../keys/signer';
import { err, gateError, ok, type Result } from '../core/result';
import { actorIdentity, JOURNAL_PREFIX, stateRef } from '../actors';
import { loadBundle, type LoadedBundle } from '../bundle/load';
import type { VerifyMemo } from '../events/memo';
import { activeBundle } from '../bundle/publish';
import type { FoldEntry } from '../bundle/manifest';
import type { FoldEvent, FoldRuntime } from '../fold/contract';
import { FOLD_MATH, RNG_ID } from '../fold/engine-id';
import { anyRefMatcher } from '../fold/glob';
import type { GitRepo } from '../git';
import type { ActorKey } from '../keys';
import { formatTrailers, type TrailerInput } from '../trailers';
import { commitData, filesToObjects } from '../workspace/git-objects';
import { ObjectBatch } from '../workspace/object-batch';
import { readTreeFiles } from '../workspace/read-tree';
import { allAfter, computeCheckpoint } from './compute';
import { decodeProof, encodeProof, FOLD_STATE_FILE, inputsRoot, PROOF_FILE, type Proof, type WindowEntry } from './proof';
import { readWindow } from './window';

export interface CheckpointRequest {
  readonly ns: string;
  readonly foldId?: string;
  readonly key: ActorKey;
  readonly now: number;
  /** Ignore the previous checkpoint's saved state and fold everything (for tests and repair). */
  readonly scratch?: boolean;
}

export interface CheckpointResult {
  readonly commit: string;
  readonly ref: string;
  readonly proof: Proof;
  /** False when nothing new was folded and no commit was written. */
  readonly written: boolean;
}

/** A previous checkpoint: its commit, proof and saved state. */
export interface Previous {
  readonly commit: string;
  readonly proof: Proof;
  readonly savedState: Uint8Array;
  readonly files: ReadonlyMap<string, Uint8Array>;
}

export async function readCheckpoint(repo: GitRepo, commit: string): Promise<Result<Previous>> {
  const c = await repo.readCommit(commit);
  if (!c.ok) return err(gateError('NOT_FOUND', `${commit} is not a commit in this repository`, { hint: 'name a state ref (refs/gatos/state/<ns>) or a checkpoint commit' }));
  const files = await readTreeFiles(repo, c.value.tree);
  if (!files.ok) return files;
  const proofBytes = files.value.get(PROOF_FILE);
  const saved = files.value.get(FOLD_STATE_FILE);
  if (!proofBytes || !saved) return err(gateError('PROOF_INVALID', `checkpoint ${commit} lacks ${!proofBytes ? PROOF_FILE : FOLD_STATE_FILE}`, { hint: 'write checkpoints with gatos fold checkpoint' }));
  const proof = decodeProof(proofBytes);
  if (!proof.ok) return proof;
  return ok({ commit, proof: proof.value, savedState: saved, files: files.value });
}

/** What resuming from a checkpoint needs: its commit, proof and saved state. */
export type ResumePoint = Omit<Previous, 'files'>;

/**
 * The previous checkpoint as makeCheckpoint resumes from it: its proof and
 * saved state only, not the files its fold emitted (those are rewritten, and
 * reading them cost as much as the rest of a 1,000-event checkpoint).
 */
export async function readResumePoint(repo: GitRepo, commit: string): Promise<Result<ResumePoint>> {
  const c = await repo.readCommit(commit);
  if (!c.ok) return err(gateError('NOT_FOUND', `${commit} is not a commit in this repository`, { hint: 'name a state ref (refs/gatos/state/<ns>) or a checkpoint commit' }));
  const [proofBytes, saved] = await Promise.all([repo.readBlob(`${c.value.tree}:${PROOF_FILE}`), repo.readBlob(`${c.value.tree}:${FOLD_STATE_FILE}`)]);
  const missing = !proofBytes.ok ? { file: PROOF_FILE, why: proofBytes.error.message } : !saved.ok ? { file: FOLD_STATE_FILE, why: saved.error.message } : undefined;
  if (missing || !proofBytes.ok || !saved.ok) return err(gateError('PROOF_INVALID', `checkpoint ${commit} lacks ${missing?.file ?? PROOF_FILE} (${missing?.why ?? ''})`, { hint: 'write checkpoints with gatos fold checkpoint' }));
  const proof = decodeProof(proofBytes.value);
  if (!proof.ok) return proof;
  return ok({ commit, proof: proof.value, savedState: saved.value });
}

/**
 * Whether fold `f` reads the journals of namespace `ns`: the rule that binds a
 * checkpoint's fold to the state ref it is written to. chooseFold applies it,
 * and the verifier enforces it (docs/formats.md §8).
 */
export function foldReadsNamespace(f: Pick<FoldEntry, 'inputs'>, ns: string): boolean {
  return anyRefMatcher(f.inputs)(`${JOURNAL_PREFIX}${ns}/user/x`) || f.inputs.some((g) => g.startsWith(`${JOURNAL_PREFIX}${ns}/`));
}

/** The fold of the namespace: the one asked for (which must read it), or the only one reading its journals. */
export function chooseFold(bundle: LoadedBundle, ns: string, foldId: string | undefined): Result<FoldEntry> {
  if (foldId !== undefined) {
    const f = bundle.manifest.folds.find((x) => x.id === foldId);
    if (!f) return err(gateError('NOT_FOUND', `the active bundle has no fold '${foldId}'`, { hint: `its folds: ${bundle.manifest.folds.map((x) => x.id).join(', ') || 'none'}` }));
    if (!foldReadsNamespace(f, ns)) return err(gateError('USAGE', `fold '${foldId}' does not read the journals of '${ns}' (its inputs: ${f.inputs.join(', ')})`, { hint: `a checkpoint of ${ns} folds the journals of ${ns}: choose a fold whose inputs match refs/gatos/journal/${ns}/...` }));
    return ok(f);
  }
  const candidates = bundle.manifest.folds.filter((f) => foldReadsNamespace(f, ns));
  if (candidates.length === 1) return ok(candidates[0] as FoldEntry);
  if (candidates.length === 0) return err(gateError('NOT_FOUND', `no fold of the active bundle reads the journals of '${ns}'`, { hint: `add a fold with inputs: ["refs/gatos/journal/${ns}/**"] and publish` }));
  return err(gateError('USAGE', `several folds read '${ns}': ${candidates.map((f) => f.id).join(', ')}`, { hint: 'choose one with --fold <id>' }));
}

export async function journalHeads(repo: GitRepo, inputs: readonly string[]): Promise<Result<Map<string, string>>> {
  const refs = await repo.forEachRef([JOURNAL_PREFIX.slice(0, -1)]);
  if (!refs.ok) return err(refs.error);
  const match = anyRefMatcher(inputs);
  return ok(new Map(refs.value.filter((r) => match(r.ref)).map((r) => [r.ref, r.id])));
}

/**
 * Events of every window, merged (the fold orders them); `known`: commits of windows already listed, by journal;
 * `memo`: this run's verified envelopes, read instead of git.
 */
export async function readWindows(repo: GitRepo, window: readonly WindowEntry[], known?: ReadonlyMap<string, readonly string[]>, memo?: VerifyMemo): Promise<Result<{ events: FoldEvent[]; counts: number[] }>> {
  const events: FoldEvent[] = [];
  const counts: number[] = [];
  for (const w of window) {
    const r = await readWindow(repo, w.journal, w.start, w.end, w.start ? known?.get(w.journal) : undefined, memo);
    if (!r.ok) return r;
    counts.push(r.value.length);
    appendAll(events, r.value);
  }
  return ok({ events, counts });
}

/** Whether a checkpoint can resume from `prev` rather than start over, and the window it would read. */
interface Plan {
  readonly base: 'resume' | 'scratch';
  readonly window: WindowEntry[];
  /** The commits of resumed windows, by journal, when the ancestry check listed them. */
  readonly known: ReadonlyMap<string, readonly string[]>;
}

async function planWindow(repo: GitRepo, runtime: FoldRuntime, entry: FoldEntry, heads: ReadonlyMap<string, string>, prev: ResumePoint | undefined): Promise<Result<Plan>> {
  const journals = [...heads.keys()].sort();
  const scratch = { base: 'scratch' as const, window: journals.map((j) => ({ journal: j, start: null, end: heads.get(j) as string, events: 0 })), known: new Map() };
  if (!prev || prev.proof.foldRoot !== entry.foldRoot || prev.proof.foldEngine !== runtime.engine) return ok(scratch);
  const starts = new Map<string, string>();
  const known = new Map<string, readonly string[]>();
  for (const w of prev.proof.window) {
    const head = heads.get(w.journal);
    if (!head) return ok(scratch);
    // Journals are linear: walking the window answers ancestry and lists what readWindow reads.
    // git's merge-base walks the whole journal when its commits share one date.
    const lin = await repo.linearRange(w.end, head);
    if (!lin.ok) return err(lin.error);
    if (lin.value?.ancestor) {
      known.set(w.journal, lin.value.ids);
    } else if (lin.value) {
      return ok(scratch);
    } else {
      const ff = await repo.isAncestor(w.end, head);
      if (!ff.ok) return err(ff.error);
      if (!ff.value) return ok(scratch);
    }
    starts.set(w.journal, w.end);
  }
  return ok({ base: 'resume', window: journals.map((j) => ({ journal: j, start: starts.get(j) ?? null, end: heads.get(j) as string, events: 0 })), known });
}

export async function makeCheckpoint(repo: GitRepo, req: CheckpointRequest): Promise<Result<CheckpointResult>> {
  const ref = stateRef(req.ns);
  if (!ref.ok) return ref;
  const active = await activeBundle(repo);
  if (!active.ok) return active;
  if (!active.value) return err(gateError('NOT_FOUND', 'there is no active policy bundle', { hint: 'publish one with gatos policy publish' }));
  const bundle = await loadBundle(repo, active.value);
  if (!bundle.ok) return bundle;
  const entry = chooseFold(bundle.value, req.ns, req.foldId);
  if (!entry.ok) return entry;
  const fold = bundle.value.fold(entry.value.id);
  if (!fold.ok) return fold;
  const runtime = fold.value.runtime;
  return repo.retryOnConflict(async (): Promise<Result<CheckpointResult>> => {
    const heads = await journalHeads(repo, entry.value.inputs);
    if (!heads.ok) return heads;
    if (heads.value.size === 0) return err(gateError('NOT_FOUND', `no journal matches the inputs of fold '${entry.value.id}' (${entry.value.inputs.join(', ')})`, { hint: 'append events first: gatos event add' }));
    const tip = await repo.readRef(ref.value);
    if (!tip.ok) return err(tip.error);
    let prev: ResumePoint | undefined;
    if (tip.value) {
      const p = await readResumePoint(repo, tip.value);
      if (!p.ok) return p;
      prev = p.value;
    }
    const plan0 = await planWindow(repo, runtime, entry.value, heads.value, req.scratch ? undefined : prev);
    if (!plan0.ok) return plan0;
    let plan = plan0.value;
    let read = await readWindows(repo, plan.window, plan.known);
    if (!read.ok) return read;
    if (plan.base === 'resume' && prev && runtime.kind !== 'yaml' && !allAfter(prev.proof.watermark, read.value.events)) {
      // An event older than what the parent folded: appending it would differ from refolding, so refold.
      const again = await planWindow(repo, runtime, entry.value, heads.value, undefined);
      if (!again.ok) return again;
      plan = again.value;
      read = await readWindows(repo, plan.window, plan.known);
      if (!read.ok) return read;
    }
    const total = read.value.counts.reduce((a, b) => a + b, 0);
    if (prev && plan.base === 'resume' && total === 0 && plan.window.length === prev.proof.window.length && prev.proof.policyRoot === active.value) {
      return ok({ commit: prev.commit, ref: ref.value, proof: prev.proof, written: false });
    }
    const computed = computeCheckpoint(runtime, plan.base === 'resume' && prev ? prev.savedState : null, plan.base === 'resume' && prev ? prev.proof.watermark : null, read.value.events);
    if (!computed.ok) return computed;
    const c = computed.value;
    const window = plan.window.map((w, i) => ({ ...w, events: read.value.counts[i] as number }));
    const proof: Proof = {
      ns: req.ns,
      foldId: entry.value.id,
      foldRoot: entry.value.foldRoot,
      foldEngine: runtime.engine,
      policyRoot: active.value as string,
      policyCodeRoot: bundle.value.manifest.policyCodeRoot,
      stateRoot: c.stateRoot,
      foldStateRoot: c.foldStateRoot,
      inputsRoot: inputsRoot(heads.value),
      window,
      base: plan.base,
      prev: prev?.commit ?? null,
      events: total,
      watermark: c.watermark,
      actor: req.key.actor,
      key: formatPublicKey(req.key.publicKey),
      ts: req.now,
    };
    const proofBytes = encodeProof(proof);
    if (!proofBytes.ok) return proofBytes;
    const sig = signFast(req.key, proofBytes.value);
    const files = new Map(c.files);
    files.set(FOLD_STATE_FILE, c.savedState);
    files.set(PROOF_FILE, proofBytes.value);
    const message = checkpointMessage(proof, proofBytes.value, sig, read.value.events, runtime.usesRng);
    if (!message.ok) return message;
    const batch = new ObjectBatch(repo.format);
    const tree = filesToObjects(repo.format, files);
    batch.addAll(tree.objects);
    const who = actorIdentity(req.key.actor, req.now);
    const commit = batch.add('commit', commitData({ tree: tree.root, parents: prev ? [prev.commit] : [], author: who, committer: who, message: message.value }));
    const w = await batch.write(repo);
    if (!w.ok) return w;
    const u = await repo.updateRefs([{ ref: ref.value, newId: commit, expectedId: tip.value ?? repo.zeroId }], { message: `gatos fold checkpoint ${req.ns}` });
    if (!u.ok) return u;
    return ok({ commit, ref: ref.value, proof, written: true });
  });
}

/**
 * The checkpoint commit message: title and the trailers of docs/formats.md §8, in that order.
 * `usesRng` (the fold runtime's, fixed by its compiled bytes) adds `Fold-RNG`; the verifier
 * rebuilds the message the same way, so the trailer is required exactly when the fold uses the RNG.
 */
export function checkpointMessage(p: Proof, proofBytes: Uint8Array, sig: Uint8Array, windowEvents: readonly FoldEvent[], usesRng: boolean): Result<string> {
  const heads = p.window.map((w) => w.end).sort();
  const trailers: TrailerInput[] = [{ key: 'State-Root', value: p.stateRoot }, ...heads.map((h) => ({ key: 'Ledger-Head', value: h }))];
  const only = p.window[0];
  if (p.window.length === 1 && only && only.start !== null) {
    // Windows are read oldest first, so the first event of the journal is the window's first commit.
    const oldest = windowEvents.find((e) => e.journal === only.journal);
    if (oldest) trailers.push({ key: 'Ledger-Start', value: oldest.commit });
  }
  trailers.push(
    { key: 'Policy-Root', value: p.policyRoot },
    { key: 'Policy-Code-Root', value: p.policyCodeRoot },
    { key: 'Fold-Root', value: p.foldRoot },
    { key: 'Fold-Engine', value: p.foldEngine },
    { key: 'Fold-Version', value: '1' },
    { key: 'Fold-Math', value: FOLD_MATH },
    ...(usesRng ? [{ key: 'Fold-RNG', value: RNG_ID }] : []),
    { key: 'Inputs-Root', value: p.inputsRoot },
    { key: 'Proof-CID', value: eventCid(proofBytes) },
    { key: 'Proof-Sig', value: formatSignature(sig) },
    { key: 'Signer', value: p.key },
  );
  return formatTrailers(`checkpoint ${p.ns}: ${p.events} event${p.events === 1 ? '' : 's'}\n`, trailers);
}

