/**
 * The cold hooks' record of the active bundle as they decoded it: in
 * $GIT_DIR/gatos/cache/active-bundle, the commit refs/gatos/policies/active
 * named, its bundle-id and files, its manifest, its checked trust set (graph
 * records, grants, revocations) and the decoded document of its compiled
 * policy. Loading the active bundle from git costs a cold hook process about
 * 15 ms of CPU (reading ~20 objects through zlib, strict CBOR and canonical
 * JSON decoding, every trust signature checked); reading this record is one
 * file, a sha256 and a JSON.parse (decision 0046).
 *
 * Key: the commit id (which names every file, hence everything decoded from
 * them: none of it depends on the time) and the release that decoded it
 * (another release may decode otherwise). A record is used only for exactly
 * the commit the active ref names now, by exactly this release, when whole
 * (its own sha256, magic line, every field of the expected type); anything
 * else is no record: the bundle is loaded and checked in full and the record
 * rewritten. It is written only after a full load succeeded, and only if
 * reading it back gives exactly what was decoded. The policy's shape and type
 * checks still run on every load (they build its closures), and each fold is
 * still checked against its fold_root when loaded.
 *
 * Trust: what it holds was decoded by this hook; $GIT_DIR/gatos/cache is as
 * trusted as $GIT_DIR/hooks (the V8 code cache there already runs as the
 * hook's code), and clients can write neither. The daemon and `gatos doctor`
 * never read it: doctor checks the bundle in full. Adapter (filesystem).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { seal, unseal } from '../canon/sealed';
import { bytesEqual, concatBytes, decodeUtf8, utf8 } from '../core/bytes';
import { VERSION } from '../core/version';
import { loadedBundle, type LoadedBundle } from '../bundle/load';
import type { FoldEntry, Manifest } from '../bundle/manifest';
import type { ActorRecord, TrustGraph } from '../trust/graph';
import { Capabilities, type Grant, type Revocation } from '../trust/grants';
import type { JsonObject } from '../trust/statement';
import type { TrustSet } from '../trust/trust-set';

const MAGIC = 'gatos-active-bundle-v1\n';

export function bundleRecordFile(gitDir: string): string {
  return path.join(gitDir, 'gatos', 'cache', 'active-bundle');
}

/** What a record keeps: the bundle as loadBundle checked it, and its policy's decoded document. */
export interface KeptBundle {
  readonly loaded: LoadedBundle;
  readonly policyDoc: unknown;
}

/** The JSON part of a record; the files' bytes follow it, in `files` order. */
interface Head {
  readonly gatos: string;
  readonly commit: string;
  readonly id: string;
  readonly files: readonly (readonly [string, number])[];
  readonly manifest: Manifest;
  readonly roots: readonly string[];
  readonly actors: readonly ActorRecord[];
  readonly groups: readonly (readonly [string, readonly string[]])[];
  readonly graphJson: JsonObject;
  readonly grants: readonly Grant[];
  readonly revocations: readonly Revocation[];
  readonly policy: unknown;
}

/** Whether JSON carries `v` exactly: null, booleans, strings, finite numbers (not -0), plain arrays and objects. */
function jsonExact(v: unknown): boolean {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return true;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0);
  if (Array.isArray(v)) return v.every(jsonExact);
  if (typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return (proto === Object.prototype || proto === null) && Object.values(v as object).every(jsonExact);
}

const isString = (x: unknown): x is string => typeof x === 'string';
const isArray = (x: unknown): x is unknown[] => Array.isArray(x);
const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The record's bytes for `k`, or undefined when JSON could not carry it exactly. */
export function encodeBundleRecord(k: KeptBundle): Uint8Array | undefined {
  const { loaded: b } = k;
  const g = b.trust.graph;
  const files = [...b.files];
  const head: Head = {
    gatos: VERSION,
    commit: b.commit,
    id: b.id,
    files: files.map(([p, bytes]) => [p, bytes.length] as const),
    manifest: b.manifest,
    roots: g.roots,
    actors: [...g.actors.values()],
    groups: [...g.groups],
    graphJson: g.json,
    grants: b.trust.grants,
    revocations: b.trust.revocations,
    policy: k.policyDoc,
  };
  if (!jsonExact(head) || g.actors.size !== head.actors.length || [...g.actors].some(([id, r]) => id !== r.actor)) return undefined;
  const json = utf8(JSON.stringify(head));
  const size = new Uint8Array(4);
  new DataView(size.buffer).setUint32(0, json.length);
  const bytes = seal(MAGIC, concatBytes([size, json, ...files.map(([, f]) => f)]));
  // Kept only if reading it back gives exactly what was decoded.
  const back = decodeBundleRecord(bytes);
  return back && sameBundle(back, k) ? bytes : undefined;
}

function sameBundle(a: KeptBundle, b: KeptBundle): boolean {
  const x = a.loaded;
  const y = b.loaded;
  const graph = (t: TrustSet) => [t.graph.roots, [...t.graph.actors], [...t.graph.groups], t.graph.json];
  return (
    x.commit === y.commit &&
    x.id === y.id &&
    x.files.size === y.files.size &&
    [...x.files].every(([p, f]) => {
      const g = y.files.get(p);
      return g !== undefined && bytesEqual(f, g);
    }) &&
    isDeepStrictEqual(x.manifest, y.manifest) &&
    isDeepStrictEqual(graph(x.trust), graph(y.trust)) &&
    isDeepStrictEqual([x.trust.grants, x.trust.revocations], [y.trust.grants, y.trust.revocations]) &&
    isDeepStrictEqual(a.policyDoc, b.policyDoc)
  );
}

/** The bundle a record's bytes hold, if they are a whole record of this release; undefined otherwise. */
export function decodeBundleRecord(bytes: Uint8Array): KeptBundle | undefined {
  const body = unseal(MAGIC, bytes);
  if (body === undefined || body.length < 4) return undefined;
  try {
    const size = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(0);
    const text = decodeUtf8(body.subarray(4, 4 + size));
    if (text === undefined || 4 + size > body.length) return undefined;
    const h = JSON.parse(text) as Record<keyof Head, unknown>;
    if (!isRecord(h) || h.gatos !== VERSION || !isString(h.commit) || !isString(h.id) || !isArray(h.files) || !isRecord(h.manifest) || !isArray(h.manifest.folds) || !isString(h.manifest.policyCodeRoot)) return undefined;
    if (!isArray(h.roots) || !isArray(h.actors) || !isArray(h.groups) || !isRecord(h.graphJson) || !isArray(h.grants) || !isArray(h.revocations) || !('policy' in h)) return undefined;
    const files = new Map<string, Uint8Array>();
    let at = 4 + size;
    for (const f of h.files) {
      if (!isArray(f) || f.length !== 2 || !isString(f[0]) || !Number.isSafeInteger(f[1]) || (f[1] as number) < 0 || files.has(f[0])) return undefined;
      const end = at + (f[1] as number);
      if (end > body.length) return undefined;
      files.set(f[0], body.subarray(at, end));
      at = end;
    }
    if (at !== body.length) return undefined;
    for (const a of h.actors) if (!isRecord(a) || !isString(a.actor)) return undefined;
    for (const e of h.groups) if (!isArray(e) || e.length !== 2 || !isString(e[0]) || !isArray(e[1])) return undefined;
    const actors = h.actors as ActorRecord[];
    const graph: TrustGraph = {
      roots: h.roots as string[],
      actors: new Map(actors.map((a) => [a.actor, a])),
      groups: new Map(h.groups as [string, string[]][]),
      json: h.graphJson as JsonObject,
    };
    if (graph.actors.size !== actors.length) return undefined;
    const grants = h.grants as Grant[];
    const revocations = h.revocations as Revocation[];
    const trust: TrustSet = { graph, grants, revocations, caps: new Capabilities(graph, grants, revocations) };
    const manifest: Manifest = { policyCodeRoot: h.manifest.policyCodeRoot, folds: h.manifest.folds as FoldEntry[] };
    return { loaded: loadedBundle(h.commit, h.id, files, manifest, trust), policyDoc: h.policy };
  } catch {
    return undefined;
  }
}

/** The record of exactly `commit`, if one is whole and of this release; undefined otherwise. */
export function readBundleRecord(gitDir: string, commit: string): KeptBundle | undefined {
  try {
    const k = decodeBundleRecord(new Uint8Array(readFileSync(bundleRecordFile(gitDir))));
    return k?.loaded.commit === commit ? k : undefined;
  } catch {
    return undefined;
  }
}

/** Records `k` (after a full load of the active bundle); false if it could not (the next push loads in full too). */
export function writeBundleRecord(gitDir: string, k: KeptBundle): boolean {
  try {
    const bytes = encodeBundleRecord(k);
    if (bytes === undefined) return false;
    const file = bundleRecordFile(gitDir);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o600 });
    renameSync(tmp, file);
    return true;
  } catch {
    // No record: the next push loads in full.
    return false;
  }
}
