/**
 * A forger's checkpoint producer: src/checkpoint/make.ts taken apart and
 * changed where a forger would change it. It chooses any fold (no check that
 * the fold reads the namespace), any window (journals, starts, ends), the
 * base (resume without the watermark check, or scratch), any signer, and
 * can add commit headers or empty folders after signing. Every piece it
 * uses is the producer's own (readWindows, computeCheckpoint, encodeProof,
 * checkpointMessage, filesToObjects, commitData), so what differs from an
 * honest checkpoint is only what the test asks for.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { formatPublicKey } from '../../src/canon/ed25519';
import { actorIdentity, stateRef } from '../../src/actors';
import { loadBundle } from '../../src/bundle/load';
import { computeCheckpoint } from '../../src/checkpoint/compute';
import { checkpointMessage, journalHeads, readResumePoint, readWindows, type ResumePoint } from '../../src/checkpoint/make';
import { encodeProof, FOLD_STATE_FILE, inputsRoot, PROOF_FILE, type Proof, type WindowEntry } from '../../src/checkpoint/proof';
import { utf8 } from '../../src/core/bytes';
import { formatIdentity, openRepo, type GitRepo } from '../../src/git';
import { loadKey, signFast, type ActorKey } from '../../src/keys';
import { filesToObjects } from '../../src/workspace/git-objects';
import { ObjectBatch } from '../../src/workspace/object-batch';
import type { GateWorld } from '../helpers/gate-world';
import { writeLiteral } from './harness';

export interface ForgeSpec {
  readonly ns: string;
  readonly fold: string;
  /** The actor whose key signs the proof. */
  readonly signer: string;
  /** Default: 'scratch'. 'resume' folds the window onto the parent's saved state, without the producer's watermark check. */
  readonly base?: 'resume' | 'scratch';
  /** The journal heads the window folds (journal ref -> end); default: every local journal the fold's inputs match. */
  readonly heads?: (honest: Map<string, string>) => Map<string, string>;
  /** Header lines added after `committer` (each without its newline). */
  readonly headers?: readonly string[];
  /** Folders ('' = the root) that get an extra empty subfolder `zz-empty`. */
  readonly emptyDirIn?: string;
  readonly now?: number;
}

function git(w: GateWorld, dir: string, args: readonly string[], input?: string): string {
  const r = spawnSync('git', args, { cwd: dir, env: w.env(), input, encoding: 'utf8', maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

/** The tree `tree` with an empty folder `zz-empty` added inside `at` ('' = the root), by git plumbing. */
export function withEmptyDir(w: GateWorld, dir: string, tree: string, at: string): string {
  const empty = writeLiteral(w, dir, 'tree', '');
  const add = (t: string, segs: readonly string[]): string => {
    const lines = git(w, dir, ['ls-tree', t]).split('\n').filter((l) => l !== '');
    if (segs.length === 0) return git(w, dir, ['mktree'], `${[...lines, `040000 tree ${empty}\tzz-empty`].join('\n')}\n`);
    const [head, ...rest] = segs as [string, ...string[]];
    const out = lines.map((l) => {
      const [meta, name] = l.split('\t') as [string, string];
      if (name !== head) return l;
      const [mode, type, id] = meta.split(' ') as [string, string, string];
      return `${mode} ${type} ${add(id, rest)}\t${name}`;
    });
    return git(w, dir, ['mktree'], `${out.join('\n')}\n`);
  };
  return add(tree, at === '' ? [] : at.split('/'));
}

export interface ForgeInRepo extends Omit<ForgeSpec, 'signer' | 'emptyDirIn'> {
  readonly key: ActorKey;
  /** Rewrites the root tree before the commit is made (e.g. adds an empty folder). */
  readonly tree?: (root: string) => string;
}

const must = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

/**
 * Forges a checkpoint in `repo` on top of its state ref's tip, against the
 * active bundle, and writes its objects; returns the commit id (the ref is not moved).
 */
export async function forgeCheckpointIn(repo: GitRepo, spec: ForgeInRepo): Promise<string> {
  const ref = must(stateRef(spec.ns));
  const active = must(await repo.readRef('refs/gatos/policies/active')) as string;
  const bundle = must(await loadBundle(repo, active));
  const fold = must(bundle.fold(spec.fold));
  const entry = fold.entry;
  const runtime = fold.runtime;
  const honest = must(await journalHeads(repo, entry.inputs));
  const heads = spec.heads ? spec.heads(new Map(honest)) : honest;
  const tip = must(await repo.readRef(ref));
  let prev: ResumePoint | undefined;
  if (tip) prev = must(await readResumePoint(repo, tip));
  const base = spec.base ?? 'scratch';
  const parentEnds = new Map((prev?.proof.window ?? []).map((x) => [x.journal, x.end]));
  const window: WindowEntry[] = [...heads.keys()].sort().map((j) => ({ journal: j, start: base === 'resume' ? (parentEnds.get(j) ?? null) : null, end: heads.get(j) as string, events: 0 }));
  const read = must(await readWindows(repo, window));
  const resume = base === 'resume' && prev ? prev : undefined;
  const c = must(computeCheckpoint(runtime, resume ? resume.savedState : null, resume ? resume.proof.watermark : null, read.events));
  const now = spec.now ?? Math.floor(Date.now() / 1000);
  const key = spec.key;
  const proof: Proof = {
    ns: spec.ns,
    foldId: entry.id,
    foldRoot: entry.foldRoot,
    foldEngine: runtime.engine,
    policyRoot: active,
    policyCodeRoot: bundle.manifest.policyCodeRoot,
    stateRoot: c.stateRoot,
    foldStateRoot: c.foldStateRoot,
    inputsRoot: inputsRoot(heads),
    window: window.map((x, i) => ({ ...x, events: read.counts[i] as number })),
    base,
    prev: prev?.commit ?? null,
    events: read.counts.reduce((a, b) => a + b, 0),
    watermark: c.watermark,
    actor: key.actor,
    key: formatPublicKey(key.publicKey),
    ts: now,
  };
  const proofBytes = must(encodeProof(proof));
  const sig = signFast(key, proofBytes);
  const files = new Map(c.files);
  files.set(FOLD_STATE_FILE, c.savedState);
  files.set(PROOF_FILE, proofBytes);
  const message = must(checkpointMessage(proof, proofBytes, sig, read.events, runtime.usesRng));
  const tree = filesToObjects(repo.format, files);
  const batch = new ObjectBatch(repo.format);
  batch.addAll(tree.objects);
  must(await batch.write(repo));
  const root = spec.tree ? spec.tree(tree.root) : tree.root;
  const who = formatIdentity(actorIdentity(key.actor, now));
  const head = [`tree ${root}`, ...(prev ? [`parent ${prev.commit}`] : []), `author ${who}`, `committer ${who}`, ...(spec.headers ?? [])];
  const commits = new ObjectBatch(repo.format);
  const commit = commits.add('commit', utf8(`${head.join('\n')}\n\n${message}`));
  must(await commits.write(repo));
  return commit;
}

/** Forges a checkpoint in the client `dir` and moves its local state ref there; returns the commit id. */
export async function forgeCheckpoint(w: GateWorld, dir: string, spec: ForgeSpec): Promise<string> {
  const key = must(loadKey(w.keyDir, spec.signer));
  const repo = must(await openRepo(path.join(dir, '.git'), { env: w.env() }));
  try {
    const { emptyDirIn, signer: _signer, ...rest } = spec;
    const commit = await forgeCheckpointIn(repo, { ...rest, key, ...(emptyDirIn !== undefined ? { tree: (root: string) => withEmptyDir(w, dir, root, emptyDirIn) } : {}) });
    git(w, dir, ['update-ref', must(stateRef(spec.ns)), commit]);
    return commit;
  } finally {
    await repo.close();
  }
}
