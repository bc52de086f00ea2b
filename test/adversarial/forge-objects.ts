/**
 * Forging git objects byte by byte for the malformed-object and bundle
 * attacks: raw tree entries, trees and commits written with
 * `hash-object --literally` (no check of git's), policy bundles built with
 * the producer's own library and then changed where a forger would change
 * them. Test code only.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { actorIdentity } from '../../src/actors';
import { bundleId, buildBundle, encodeManifest, MANIFEST_FILE, POLICY_FILE, publishMessage, type Bundle, type Manifest } from '../../src/bundle';
import { sha256Text } from '../../src/canon/digest';
import { templateFiles } from '../../src/install/install';
import { commitData, filesToObjects } from '../../src/workspace/git-objects';
import type { GateWorld } from '../helpers/gate-world';
import { REPO_ROOT } from '../helpers/gate-world';
import { writeLiteral } from './harness';

export interface RawEntry {
  readonly mode: string;
  readonly name: Buffer;
  readonly id: string;
}

/** An object's raw bytes from the repository of `dir`. */
export function catRaw(w: GateWorld, dir: string, type: string, id: string): Buffer {
  const r = spawnSync('git', ['cat-file', type, id], { cwd: dir, env: w.env(), maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`cat-file ${type} ${id}: ${r.stderr.toString('utf8')}`);
  return r.stdout;
}

export function revParse(w: GateWorld, dir: string, rev: string): string {
  const r = w.git(dir, ['rev-parse', '--verify', rev]);
  if (r.status !== 0) throw new Error(`rev-parse ${rev}: ${r.stderr}`);
  return r.stdout.trim();
}

/** A tree's entries exactly as stored (no sorting, no checks). */
export function rawEntries(w: GateWorld, dir: string, tree: string): RawEntry[] {
  const data = catRaw(w, dir, 'tree', tree);
  const len = w.opts.format === 'sha256' ? 32 : 20;
  const out: RawEntry[] = [];
  let at = 0;
  while (at < data.length) {
    const sp = data.indexOf(32, at);
    const nul = data.indexOf(0, sp);
    out.push({ mode: data.subarray(at, sp).toString('latin1'), name: data.subarray(sp + 1, nul), id: data.subarray(nul + 1, nul + 1 + len).toString('hex') });
    at = nul + 1 + len;
  }
  return out;
}

/** Tree bytes of these entries in the order given (duplicates, wrong order, odd modes and names all kept). */
export function treeBytes(entries: readonly RawEntry[]): Buffer {
  return Buffer.concat(entries.flatMap((e) => [Buffer.from(`${e.mode} `, 'latin1'), e.name, Buffer.from([0]), Buffer.from(e.id, 'hex')]));
}

export function entry(mode: string, name: string, id: string): RawEntry {
  return { mode, name: Buffer.from(name, 'utf8'), id };
}

/** Writes a tree of `entries` literally in `dir`. */
export function literalTree(w: GateWorld, dir: string, entries: readonly RawEntry[]): string {
  return writeLiteral(w, dir, 'tree', treeBytes(entries));
}

export function blob(w: GateWorld, dir: string, text: string | Buffer): string {
  return writeLiteral(w, dir, 'blob', text);
}

/** A copy of commit `id` whose raw text went through `edit`, written literally in `dir`. */
export function editCommit(w: GateWorld, dir: string, id: string, edit: (text: string) => string): string {
  const text = catRaw(w, dir, 'commit', id).toString('latin1');
  const changed = edit(text);
  if (changed === text) throw new Error('the edit changed nothing');
  return writeLiteral(w, dir, 'commit', Buffer.from(changed, 'latin1'));
}

/** A copy of commit `id` with another tree. */
export function withTree(w: GateWorld, dir: string, id: string, tree: string): string {
  return editCommit(w, dir, id, (t) => t.replace(/^tree [0-9a-f]+\n/, `tree ${tree}\n`));
}

/** Moves `ref` in `dir` to `id` (no checks: a forger's client). */
export function setRef(w: GateWorld, dir: string, ref: string, id: string): void {
  const r = w.git(dir, ['update-ref', ref, id]);
  if (r.status !== 0) throw new Error(`update-ref ${ref}: ${r.stderr}`);
}

/** The workspace files of a template with the world's trust graph, as `gatos policy publish` would read them. */
export function workspaceOf(w: GateWorld, template: string, extra: Record<string, string> = {}): Map<string, Uint8Array> {
  const files = templateFiles({ template, templatesDir: path.join(REPO_ROOT, 'templates'), trustDir: path.join(w.admin, 'gatos/trust') });
  if (!files.ok) throw new Error(files.error.message);
  for (const [p, t] of Object.entries(extra)) files.value.set(p, new Uint8Array(Buffer.from(t, 'utf8')));
  return files.value;
}

export function built(workspace: ReadonlyMap<string, Uint8Array>): Bundle {
  const b = buildBundle(workspace);
  if (!b.ok) throw new Error(b.error.message);
  return b.bundle;
}

/** A bundle whose files were changed by hand: manifest, bundle-id and trailers recomputed to agree with them. */
export function consistent(files: Map<string, Uint8Array>, manifest?: Manifest): Bundle {
  const policy = files.get(POLICY_FILE);
  if (!policy) throw new Error('no compiled policy');
  const m = manifest ?? { policyCodeRoot: sha256Text(policy), folds: [] };
  files.set(MANIFEST_FILE, encodeManifest(m));
  const id = bundleId(files);
  if (!id.ok) throw new Error(id.error.message);
  return { files, manifest: m, id: id.value };
}

export interface BundleCommitOptions {
  /** The message publish writes, changed. */
  readonly message?: (m: string) => string;
  /** Raw header lines inserted after committer. */
  readonly extraHeaders?: string;
  /** A tree written otherwise than publish would (empty dirs, odd modes). */
  readonly tree?: string;
  readonly actor?: string;
}

/** The publish message of a bundle, as the producer writes it. */
function messageOf(b: Bundle): string {
  const m = publishMessage(b);
  if (!m.ok) throw new Error(m.error.message);
  return m.value;
}

/**
 * Writes `b` as `gatos policy publish` would (on top of the client's
 * active bundle), changed as `o` says, and points refs/gatos/policies/<id>
 * and active at it in `dir`. Returns the commit and the two refs to push
 * (never refs/gatos/policies/*: the client keeps refs of earlier refused forgeries).
 */
export function writeBundle(w: GateWorld, dir: string, b: Bundle, o: BundleCommitOptions = {}): { commit: string; refs: string[] } {
  const format = w.opts.format;
  const { objects, root } = filesToObjects(format, b.files);
  for (const obj of objects) {
    const id = writeLiteral(w, dir, obj.type, Buffer.from(obj.data));
    if (id !== obj.id) throw new Error(`wrote ${id}, computed ${obj.id}`);
  }
  const parent = revParse(w, dir, 'refs/gatos/policies/active');
  const ident = actorIdentity(o.actor ?? 'user:root', w.now);
  let text = Buffer.from(commitData({ tree: o.tree ?? root, parents: [parent], author: ident, committer: ident, message: messageOf(b) })).toString('latin1');
  if (o.extraHeaders) text = text.replace(/\n\n/, `\n${o.extraHeaders}\n\n`);
  if (o.message) {
    const at = text.indexOf('\n\n') + 2;
    text = text.slice(0, at) + o.message(text.slice(at));
  }
  const commit = writeLiteral(w, dir, 'commit', Buffer.from(text, 'latin1'));
  setRef(w, dir, `refs/gatos/policies/${b.id}`, commit);
  setRef(w, dir, 'refs/gatos/policies/active', commit);
  return { commit, refs: [`refs/gatos/policies/${b.id}`, 'refs/gatos/policies/active'] };
}

