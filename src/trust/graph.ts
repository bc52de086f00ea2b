/**
 * The trust graph (gatos/trust/graph.json): signed actor records with their
 * keys, trust levels and groups; roots that vouch for themselves; groups
 * derived from the records. A graph is accepted whole or refused whole: one
 * bad record refuses it (fail closed). Pure; see docs/formats.md §4.
 */
import { parsePublicKey } from '../canon/ed25519';
import type { JsonValue } from '../canon/jcs';
import { toHex } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';
import { nameProblem } from '../actors';
import { Fields, isObject, readCanonicalJson } from './shape';
import { checkSignature, signStatement, type JsonObject, type SigningKey } from './statement';
import { formatTime } from './time';

export const GRAPH_TYPE = 'gatos/trust-graph';
export const ACTOR_TYPE = 'gatos/actor';
export const MAX_LEVEL = 9;
export const MAX_ISSUER_DEPTH = 16;
const KEY_RE = /^ed25519:[0-9a-f]{64}$/;
const GROUP_RE = /^[a-z0-9][a-z0-9._-]*$/;

export interface KeyEntry {
  readonly key: string;
  /** Epoch seconds. */
  readonly from: number;
  readonly until?: number;
}

export interface ActorRecord {
  readonly actor: string;
  readonly issuer: string;
  /** The key that signed this record. */
  readonly key: string;
  readonly keys: readonly KeyEntry[];
  readonly level: number;
  readonly groups: readonly string[];
  readonly ts: number;
}

/** A checked graph: every record in it is valid. */
export interface TrustGraph {
  readonly roots: readonly string[];
  readonly actors: ReadonlyMap<string, ActorRecord>;
  readonly groups: ReadonlyMap<string, readonly string[]>;
  /** The JSON as stored, for rewriting. */
  readonly json: JsonObject;
}

export function emptyGraphJson(): JsonObject {
  return { actors: {}, groups: {}, roots: [], type: GRAPH_TYPE, v: 1 };
}

/** Whether `key` (text form) may sign a statement dated `t` for `record`'s actor. */
export function keyValidAt(record: ActorRecord, key: string, t: number): boolean {
  return record.keys.some((k) => k.key === key && k.from <= t && (k.until === undefined || t < k.until));
}

function deny(message: string, hint?: string): Result<never> {
  return err(gateError('POLICY_DENY', message, hint ? { hint } : {}));
}

function readKeyEntry(v: JsonValue, where: string): Result<KeyEntry> {
  if (!isObject(v)) return new Fields({}, where).bad('keys', 'a list of {key, from, until?}');
  const f = new Fields(v, where);
  const only = f.only(['from', 'key', 'until']);
  if (!only.ok) return only;
  const key = f.string('key', KEY_RE);
  if (!key.ok) return key;
  const from = f.time('from');
  if (!from.ok) return from;
  if (v.until === undefined) return ok({ key: key.value, from: from.value });
  const until = f.time('until');
  if (!until.ok) return until;
  if (until.value <= from.value) return f.bad('until', "later than 'from'");
  return ok({ key: key.value, from: from.value, until: until.value });
}

function readRecord(id: string, v: JsonValue): Result<ActorRecord> {
  const where = `graph.json: actor ${id}`;
  if (!isObject(v)) return new Fields({}, where).bad('record', 'an object');
  const f = new Fields(v, where);
  const only = f.only(['actor', 'groups', 'issuer', 'key', 'keys', 'level', 'sig', 'ts', 'type']);
  if (!only.ok) return only;
  const t = f.literal('type', ACTOR_TYPE);
  if (!t.ok) return t;
  const actor = f.actor('actor');
  if (!actor.ok) return actor;
  if (actor.value !== id) return f.bad('actor', `the record's own key ${JSON.stringify(id)}`);
  const issuer = f.actor('issuer');
  if (!issuer.ok) return issuer;
  const key = f.string('key', KEY_RE);
  if (!key.ok) return key;
  const level = f.int('level', 0, MAX_LEVEL);
  if (!level.ok) return level;
  const groups = f.sortedSet('groups', GROUP_RE);
  if (!groups.ok) return groups;
  for (const g of groups.value) if (nameProblem(g)) return f.bad('groups', `valid group names (${g}: ${nameProblem(g)})`);
  const ts = f.time('ts');
  if (!ts.ok) return ts;
  const keyList = f.list('keys');
  if (!keyList.ok) return keyList;
  if (keyList.value.length === 0) return f.bad('keys', 'a non-empty list');
  const keys: KeyEntry[] = [];
  for (const k of keyList.value) {
    const e = readKeyEntry(k, where);
    if (!e.ok) return e;
    if (keys.some((x) => x.key === e.value.key)) return f.bad('keys', 'free of repeated keys');
    keys.push(e.value);
  }
  const sig = checkSignature(v, where);
  if (!sig.ok) return sig;
  return ok({ actor: id, issuer: issuer.value, key: key.value, keys, level: level.value, groups: groups.value, ts: ts.value });
}

/** Reads and checks graph.json: shape, canonical form, every signature and issuer chain, derived groups. */
export function readGraph(bytes: Uint8Array, file = 'gatos/trust/graph.json'): Result<TrustGraph> {
  const json = readCanonicalJson(bytes, file);
  if (!json.ok) return json;
  return checkGraph(json.value);
}

export function checkGraph(json: JsonObject): Result<TrustGraph> {
  const f = new Fields(json, 'graph.json');
  const only = f.only(['actors', 'groups', 'roots', 'type', 'v']);
  if (!only.ok) return only;
  for (const r of [f.literal('type', GRAPH_TYPE), f.literal('v', 1)]) if (!r.ok) return r;
  const roots = f.sortedSet('roots', /^(user|agent|service):/);
  if (!roots.ok) return roots;
  const actorsObj = f.object('actors');
  if (!actorsObj.ok) return actorsObj;
  const groupsObj = f.object('groups');
  if (!groupsObj.ok) return groupsObj;
  const actors = new Map<string, ActorRecord>();
  for (const id of Object.keys(actorsObj.value).sort()) {
    const r = readRecord(id, actorsObj.value[id] as JsonValue);
    if (!r.ok) return r;
    actors.set(id, r.value);
  }
  for (const root of roots.value) {
    const rec = actors.get(root);
    if (!rec) return deny(`graph.json: root ${root} has no actor record`);
    if (rec.issuer !== root) return deny(`graph.json: root ${root} is vouched for by ${rec.issuer}; a root vouches for itself`);
  }
  const verdict = new Map<string, Result<true>>();
  const check = (id: string, depth: number, path: readonly string[]): Result<true> => {
    const known = verdict.get(id);
    if (known) return known;
    const rec = actors.get(id);
    if (!rec) return deny(`graph.json: ${id} is not in the trust graph`);
    let r: Result<true>;
    if (rec.issuer === id) {
      r = roots.value.includes(id) ? checkSigner(rec, rec) : deny(`graph.json: ${id} vouches for itself but is not a root`, 'have a trusted actor add it with gatos trust add --as <issuer>');
    } else if (path.includes(id) || depth >= MAX_ISSUER_DEPTH) {
      r = deny(`graph.json: the issuer chain of ${id} ${path.includes(id) ? 'loops' : `is deeper than ${MAX_ISSUER_DEPTH}`}`);
    } else {
      const up = check(rec.issuer, depth + 1, [...path, id]);
      const issuer = actors.get(rec.issuer);
      if (!up.ok) r = deny(`graph.json: ${id} is vouched for by ${rec.issuer}, which is not trusted: ${up.error.message}`);
      else if (!issuer || issuer.level < rec.level) r = deny(`graph.json: ${rec.issuer} (level ${issuer?.level ?? '?'}) cannot give ${id} level ${rec.level}`, 'an issuer gives at most its own level');
      else r = checkSigner(rec, issuer);
    }
    verdict.set(id, r);
    return r;
  };
  for (const id of actors.keys()) {
    const r = check(id, 0, []);
    if (!r.ok) return r;
  }
  const derived = new Map<string, string[]>();
  for (const rec of actors.values()) for (const g of rec.groups) derived.set(g, [...(derived.get(g) ?? []), rec.actor].sort());
  const storedNames = Object.keys(groupsObj.value).sort();
  const derivedNames = [...derived.keys()].sort();
  if (JSON.stringify(storedNames) !== JSON.stringify(derivedNames) || derivedNames.some((g) => JSON.stringify(groupsObj.value[g]) !== JSON.stringify(derived.get(g)))) {
    return err(gateError('ENCODING_INVALID', "graph.json: 'groups' does not match the groups of the actor records", { hint: 'write the graph with gatos trust add' }));
  }
  return ok({ roots: roots.value, actors, groups: derived, json });
}

function checkSigner(rec: ActorRecord, issuer: ActorRecord): Result<true> {
  if (!keyValidAt(issuer, rec.key, rec.ts)) {
    return deny(`graph.json: the record of ${rec.actor} is signed with ${rec.key}, which is not a key of ${issuer.actor} valid at ${formatTime(rec.ts)}`, 'a rotated-out key signs nothing dated from its rotation on');
  }
  return ok(true);
}

export interface AddActor {
  readonly actor: string;
  readonly publicKey: Uint8Array;
  readonly level: number;
  readonly groups: readonly string[];
  readonly issuer: string;
  readonly now: number;
}

/**
 * The graph JSON with `actor` added, or rotated to a new key when it exists
 * (its open keys end now). On an empty graph the actor becomes a root and
 * must sign its own record with the key being added.
 */
export function addActor(graphJson: JsonObject, a: AddActor, signer: SigningKey): Result<JsonObject> {
  const checked = checkGraph(graphJson);
  if (!checked.ok) return checked;
  const g = checked.value;
  const keyText = `ed25519:${toHex(a.publicKey)}`;
  if (!parsePublicKey(keyText).ok) return err(gateError('VALUE_INVALID', `${keyText} is not an ed25519 public key`));
  const bootstrap = g.actors.size === 0;
  if (bootstrap && a.issuer !== a.actor) return err(gateError('USAGE', `the trust graph is empty: its first actor must vouch for itself, not be added by ${a.issuer}`, { hint: `run gatos trust add ${a.actor} <its key> --as ${a.actor}` }));
  if (a.issuer === a.actor && !bootstrap && !g.roots.includes(a.actor)) return err(gateError('POLICY_DENY', `${a.actor} is not a root and cannot vouch for itself`, { hint: 'have a trusted actor run gatos trust add --as <issuer>' }));
  const old = g.actors.get(a.actor);
  const keys: KeyEntry[] = (old?.keys ?? []).filter((k) => k.key !== keyText).map((k) => (k.until === undefined ? { ...k, until: a.now } : k));
  if (old?.keys.some((k) => k.key === keyText)) return err(gateError('USAGE', `${keyText} is already a key of ${a.actor}`, { hint: 'a rotation adds a new key: make one with gatos key new --rotate' }));
  keys.push({ key: keyText, from: a.now });
  const groups = [...new Set(a.groups)].sort();
  for (const gname of groups) if (nameProblem(gname)) return err(gateError('VALUE_INVALID', `group ${JSON.stringify(gname)}: ${nameProblem(gname)}`));
  const record = signStatement(
    {
      actor: a.actor,
      groups,
      issuer: a.issuer,
      keys: keys.map((k) => ({ from: formatTime(k.from), key: k.key, ...(k.until !== undefined ? { until: formatTime(k.until) } : {}) })),
      level: a.level,
      ts: formatTime(a.now),
      type: ACTOR_TYPE,
    },
    signer,
  );
  if (!record.ok) return record;
  const actors: Record<string, JsonValue> = { ...(graphJson.actors as JsonObject), [a.actor]: record.value };
  const derived: Record<string, string[]> = {};
  for (const [id, rec] of Object.entries(actors)) {
    for (const gname of ((rec as JsonObject).groups as string[]) ?? []) derived[gname] = [...(derived[gname] ?? []), id].sort();
  }
  const roots = bootstrap ? [a.actor] : [...g.roots];
  const next: JsonObject = { actors, groups: derived, roots, type: GRAPH_TYPE, v: 1 };
  const again = checkGraph(next);
  return again.ok ? ok(next) : again;
}
