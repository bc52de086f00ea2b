/**
 * Evidence packs: one canonical JSON file an auditor verifies with no
 * repository (docs/formats.md §12).
 *
 *   {"type":"gatos/evidence-pack","v":1,"format":"sha1"|"sha256",
 *    "repo":…,"ns":…,"since":<RFC 3339>|null,
 *    "refs":{<ref>:<tip>},            the tips the pack was cut from
 *    "audit":[…],"proofs":[…],"checkpoints":[…],  commit ids, newest first
 *    "bundles":[…],                   bundle commits in force (active, and every one named)
 *    "journals":[{"journal","start","end"}],      the windows the checkpoints fold
 *    "objects":{<id>:{"type":"commit"|"tree"|"blob","data":<base64>}}}
 *
 * Every object is stored whole, so its id is recomputed from its bytes; every
 * claim is then checked from those objects alone: each audit entry parses,
 * each bundle's files give its Bundle-Id and Policy-Code-Root and a trust set
 * that loads, each checkpoint's State-Root is its proof's and its windows are
 * present, and each proof holds (commitment, signature by a key of the named
 * bundle's trust at its time, every root recomputed). Pure.
 */
import { blake3Text, sha256Text } from '../canon/digest';
import { canonicalJson, type JsonValue } from '../canon/jcs';
import { declaredBundleIds } from '../bundle/fold-root';
import { bundleId } from '../bundle/bundle-id';
import { MANIFEST_FILE, POLICY_FILE, readManifest } from '../bundle/manifest';
import { decodeProof, PROOF_FILE, type Proof } from '../checkpoint/proof';
import { err, gateError, ok, type Result } from '../core/result';
import { parseAuditEntry } from '../gate/audit-read';
import { AUDIT_ENTRY_FILE } from '../gate/audit-entry';
import { resourceUri } from '../gate/resource';
import { parseCommit, type Commit } from '../git/parse-commit';
import { parseTree } from '../git/parse-tree';
import type { ObjectFormat } from '../git/object-id';
import { checkCommitment, checkSubject, describeProblems, parseEnvelope, PROOF_ENVELOPE_FILE } from '../proof/envelope';
import { parseTrailers, trailerValues } from '../trailers';
import { signerAuthority } from '../trust/authorize';
import { Fields, isObject, readCanonicalJson } from '../trust/shape';
import { readTrustSet, type TrustSet } from '../trust/trust-set';
import { formatTime } from '../trust/time';
import { objectId, type StoredType } from '../workspace/git-objects';

export const EVIDENCE_TYPE = 'gatos/evidence-pack';

export interface PackObject {
  readonly type: StoredType;
  readonly data: Uint8Array;
}

export interface Window {
  readonly journal: string;
  readonly start: string | null;
  readonly end: string;
}

export interface EvidencePack {
  readonly format: ObjectFormat;
  readonly repo: string;
  readonly ns: string;
  /** Epoch seconds, or null: the whole history. */
  readonly since: number | null;
  readonly refs: ReadonlyMap<string, string>;
  readonly audit: readonly string[];
  readonly proofs: readonly string[];
  readonly checkpoints: readonly string[];
  readonly bundles: readonly string[];
  readonly journals: readonly Window[];
  readonly objects: ReadonlyMap<string, PackObject>;
}

const byText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function encodePack(p: EvidencePack): Result<Uint8Array> {
  const objects: Record<string, JsonValue> = {};
  for (const id of [...p.objects.keys()].sort(byText)) {
    const o = p.objects.get(id) as PackObject;
    objects[id] = { data: Buffer.from(o.data).toString('base64'), type: o.type };
  }
  const refs: Record<string, JsonValue> = {};
  for (const [r, id] of [...p.refs].sort((a, b) => byText(a[0], b[0]))) refs[r] = id;
  return canonicalJson({
    audit: [...p.audit],
    bundles: [...p.bundles],
    checkpoints: [...p.checkpoints],
    format: p.format,
    journals: p.journals.map((w) => ({ end: w.end, journal: w.journal, start: w.start })),
    ns: p.ns,
    objects,
    proofs: [...p.proofs],
    refs,
    repo: p.repo,
    since: p.since === null ? null : formatTime(p.since),
    type: EVIDENCE_TYPE,
    v: 1,
  });
}

function stringList(v: JsonValue | undefined): string[] | undefined {
  return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined;
}

/** The pack's shape; no claim in it is believed yet (verifyPack). */
export function readPack(bytes: Uint8Array, where: string): Result<EvidencePack> {
  const o = readCanonicalJson(bytes, where);
  if (!o.ok) return err({ ...o.error, code: 'PROOF_INVALID' });
  const f = new Fields(o.value, where);
  const bad = (what: string) => err(gateError('PROOF_INVALID', `${where}: ${what}`, { hint: 'write evidence packs with gatos evidence pack' }));
  for (const c of [f.only(['audit', 'bundles', 'checkpoints', 'format', 'journals', 'ns', 'objects', 'proofs', 'refs', 'repo', 'since', 'type', 'v']), f.literal('type', EVIDENCE_TYPE), f.literal('v', 1)]) if (!c.ok) return err({ ...c.error, code: 'PROOF_INVALID' });
  const v = o.value;
  if (v.format !== 'sha1' && v.format !== 'sha256') return bad("'format' must be sha1 or sha256");
  if (typeof v.repo !== 'string' || typeof v.ns !== 'string') return bad("'repo' and 'ns' must be strings");
  let since: number | null = null;
  if (v.since !== null) {
    const t = typeof v.since === 'string' ? Date.parse(v.since) : NaN;
    if (!Number.isFinite(t)) return bad("'since' must be an RFC 3339 time or null");
    since = Math.floor(t / 1000);
  }
  const lists = { audit: stringList(v.audit), proofs: stringList(v.proofs), checkpoints: stringList(v.checkpoints), bundles: stringList(v.bundles) };
  for (const [k, l] of Object.entries(lists)) if (!l) return bad(`'${k}' must be a list of commit ids`);
  if (!isObject(v.refs) || !Object.values(v.refs).every((x) => typeof x === 'string')) return bad("'refs' must map ref names to ids");
  if (!Array.isArray(v.journals)) return bad("'journals' must be a list");
  const journals: Window[] = [];
  for (const j of v.journals) {
    if (!isObject(j) || typeof j.journal !== 'string' || typeof j.end !== 'string' || (j.start !== null && typeof j.start !== 'string')) return bad("'journals' entries are {journal, start, end}");
    journals.push({ journal: j.journal, start: j.start as string | null, end: j.end });
  }
  if (!isObject(v.objects)) return bad("'objects' must map ids to {type, data}");
  const objects = new Map<string, PackObject>();
  for (const [id, x] of Object.entries(v.objects)) {
    if (!isObject(x) || (x.type !== 'commit' && x.type !== 'tree' && x.type !== 'blob') || typeof x.data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(x.data)) return bad(`object ${id} must be {type: commit|tree|blob, data: base64}`);
    objects.set(id, { type: x.type, data: new Uint8Array(Buffer.from(x.data, 'base64')) });
  }
  return ok({
    format: v.format, repo: v.repo, ns: v.ns, since,
    refs: new Map(Object.entries(v.refs as Record<string, string>)),
    audit: lists.audit as string[], proofs: lists.proofs as string[], checkpoints: lists.checkpoints as string[], bundles: lists.bundles as string[],
    journals, objects,
  });
}

export interface PackReport {
  readonly ok: boolean;
  readonly auditEntries: number;
  readonly proofs: number;
  readonly checkpoints: number;
  readonly bundles: number;
  readonly journalCommits: number;
  readonly problems: readonly string[];
}

/** Reading objects of a pack, each checked against its id once. */
class Objects {
  readonly problems: string[] = [];
  constructor(private readonly p: EvidencePack) {
    for (const [id, o] of p.objects) if (objectId(p.format, o.type, o.data) !== id) this.problems.push(`object ${id}: its bytes hash to ${objectId(p.format, o.type, o.data)}, not to its id (the pack was altered)`);
  }
  private get(id: string, type: StoredType): Uint8Array | undefined {
    const o = this.p.objects.get(id);
    return o && o.type === type ? o.data : undefined;
  }
  commit(id: string): Commit | undefined {
    const d = this.get(id, 'commit');
    const c = d ? parseCommit(id, d, this.p.format) : undefined;
    return c?.ok ? c.value : undefined;
  }
  files(tree: string, prefix = '', out = new Map<string, Uint8Array>()): Map<string, Uint8Array> | undefined {
    const d = this.get(tree, 'tree');
    const entries = d ? parseTree(tree, d, this.p.format) : undefined;
    if (!entries?.ok) return undefined;
    for (const e of entries.value) {
      if (e.name === undefined) return undefined;
      if (e.type === 'tree') {
        if (!this.files(e.id, `${prefix}${e.name}/`, out)) return undefined;
      } else {
        const b = this.get(e.id, 'blob');
        if (!b) return undefined;
        out.set(`${prefix}${e.name}`, b);
      }
    }
    return out;
  }
}

interface BundleFacts {
  readonly policyRoot: string;
  readonly trust: TrustSet;
}

/** Every problem of the pack, checked from its own objects. */
export function verifyPack(p: EvidencePack): PackReport {
  const o = new Objects(p);
  const problems = o.problems;
  const need = (id: string, what: string): Commit | undefined => {
    const c = o.commit(id);
    if (!c) problems.push(`${what} ${id} is not a commit in the pack`);
    return c;
  };
  /** A list of commits newest first, each the first parent of the one before. */
  const chain = (ids: readonly string[], what: string): void => {
    ids.forEach((id, i) => {
      const next = ids[i + 1];
      const c = o.commit(id);
      if (c && next !== undefined && c.parents[0] !== next) problems.push(`${what} ${id}: its parent is not ${next}, the next one listed (a commit was left out or reordered)`);
    });
  };
  for (const id of p.audit) {
    const c = need(id, 'audit commit');
    const entry = c ? o.files(c.tree)?.get(AUDIT_ENTRY_FILE) : undefined;
    if (c && !entry) problems.push(`audit commit ${id} has no ${AUDIT_ENTRY_FILE}`);
    if (entry) {
      const e = parseAuditEntry(entry, `audit commit ${id}`);
      if (!e.ok) problems.push(e.error.message);
    }
  }
  chain(p.audit, 'audit commit');
  const bundles = new Map<string, BundleFacts>();
  for (const id of p.bundles) {
    const c = need(id, 'bundle');
    const files = c ? o.files(c.tree) : undefined;
    if (!c || !files) {
      if (c) problems.push(`bundle ${id}: its tree is not whole in the pack`);
      continue;
    }
    const gid = bundleId(files);
    const declared = declaredBundleIds(c.message ?? '').values;
    if (!gid.ok || declared.length !== 1 || declared[0] !== `blake3:${gid.value}`) problems.push(`bundle ${id}: its files do not give the bundle-id its commit declares`);
    const rgc = files.get(POLICY_FILE);
    const code = rgc ? sha256Text(rgc) : undefined;
    const m = files.get(MANIFEST_FILE);
    const manifest = m ? readManifest(m) : undefined;
    if (!code || trailerValues(parseTrailers(c.message ?? ''), 'Policy-Code-Root')[0] !== code || !manifest?.ok || manifest.value.policyCodeRoot !== code) problems.push(`bundle ${id}: its compiled policy does not have the Policy-Code-Root its commit and manifest declare`);
    const trustFiles = new Map<string, Uint8Array>();
    for (const [f, b] of files) if (f.startsWith('gatos/trust/')) trustFiles.set(f.slice('gatos/trust/'.length), b);
    const trust = readTrustSet(trustFiles);
    if (!trust.ok) problems.push(`bundle ${id}: its trust set does not load: ${trust.error.message}`);
    else if (code) bundles.set(id, { policyRoot: code, trust: trust.value });
  }
  const proofsOf = new Map<string, Proof>();
  for (const id of p.checkpoints) {
    const c = need(id, 'checkpoint');
    const bytes = c ? o.files(c.tree)?.get(PROOF_FILE) : undefined;
    const proof = bytes ? decodeProof(bytes) : undefined;
    if (c && !proof?.ok) {
      problems.push(`checkpoint ${id}: no readable ${PROOF_FILE}`);
      continue;
    }
    if (!c || !proof?.ok) continue;
    proofsOf.set(id, proof.value);
    if (trailerValues(parseTrailers(c.message ?? ''), 'State-Root')[0] !== proof.value.stateRoot) problems.push(`checkpoint ${id}: its State-Root trailer is not its proof's state root`);
    if (!bundles.has(proof.value.policyRoot)) problems.push(`checkpoint ${id}: the bundle it was folded under, ${proof.value.policyRoot}, is not verified in the pack`);
    for (const wnd of proof.value.window) {
      if (!p.journals.some((j) => j.journal === wnd.journal && j.end === wnd.end && j.start === wnd.start)) problems.push(`checkpoint ${id}: its window of ${wnd.journal} is not in the pack's journals`);
    }
  }
  let journalCommits = 0;
  for (const j of p.journals) {
    // Walk the window from its end back to its start (exclusive), every commit present.
    let at: string | null = j.end;
    let guard = p.objects.size + 1;
    while (at !== null && at !== j.start && guard-- > 0) {
      const c = need(at, `journal ${j.journal} commit`);
      if (!c) break;
      journalCommits++;
      at = c.parents[0] ?? null;
    }
    if (at !== j.start) problems.push(`journal ${j.journal}: the window ${j.start ?? '(start)'}..${j.end} is not whole in the pack`);
  }
  for (const id of p.proofs) {
    const c = need(id, 'proof');
    const bytes = c ? o.files(c.tree)?.get(PROOF_ENVELOPE_FILE) : undefined;
    if (!c) continue;
    if (!bytes) {
      problems.push(`proof ${id}: no ${PROOF_ENVELOPE_FILE}`);
      continue;
    }
    const e = parseEnvelope(bytes, `proof ${id}`);
    if (!e.ok) {
      problems.push(e.error.message);
      continue;
    }
    const env = e.value;
    const own = checkCommitment(env);
    if (own.length > 0) problems.push(`proof ${id}: ${describeProblems(own)}`);
    const cp = proofsOf.get(env.checkpoint);
    const b = cp ? bundles.get(cp.policyRoot) : undefined;
    if (!cp || !b) {
      problems.push(`proof ${id}: its checkpoint ${env.checkpoint} or that checkpoint's bundle is not verified in the pack`);
      continue;
    }
    const diff = checkSubject(env, { ns: p.ns, resource: resourceUri(p.repo, p.ns, 'state'), checkpoint: env.checkpoint, bundle: cp.policyRoot, inputsRoot: cp.inputsRoot, outputRoot: cp.stateRoot, policyRoot: b.policyRoot, foldRoot: cp.foldRoot });
    if (diff.length > 0) problems.push(`proof ${id}: ${describeProblems(diff)}`);
    const f = env.proof.fairness;
    const a = signerAuthority(b.trust.graph, f.actor, f.key, f.ts);
    if (!a.ok) problems.push(`proof ${id}: proof.fairness: ${a.reason}`);
  }
  chain(p.proofs, 'proof');
  return { ok: problems.length === 0, auditEntries: p.audit.length, proofs: p.proofs.length, checkpoints: p.checkpoints.length, bundles: p.bundles.length, journalCommits, problems };
}

/** A short digest of a pack's bytes, for a report line. */
export function packDigest(bytes: Uint8Array): string {
  return blake3Text(bytes);
}
