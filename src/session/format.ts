/**
 * Sessions (docs/sessions.md, decision 0033): the ref name
 * refs/gatos/sessions/<kind>/<name>/<ulid>, the session commit's message (a
 * subject naming the step, then trailers), and the payload of the
 * `governance.conflict` event a conflicting merge must be recorded by. Pure.
 */
import { actorFromPath, actorToPath, checkName, type Actor } from '../actors';
import { isObjectId, type ObjectFormat } from '../core/object-id';
import { isUlid } from '../canon/ulid';
import { err, gateError, ok, type Result } from '../core/result';
import { parseTrailers, trailerValues } from '../trailers';

export const SESSIONS_PREFIX = 'refs/gatos/sessions/';
/** The event type that records a session merge's conflict (the FAQ's section 2). */
export const CONFLICT_EVENT_TYPE = 'governance.conflict';

const REF_HINT = 'session refs are refs/gatos/sessions/<kind>/<name>/<ulid>, e.g. refs/gatos/sessions/user/alice/01J...: write them with gatos session start';

export interface SessionRef {
  readonly ref: string;
  readonly actor: Actor;
  readonly ulid: string;
}

export function sessionRefOf(actor: Actor, ulid: string): string {
  return `${SESSIONS_PREFIX}${actorToPath(actor)}/${ulid}`;
}

/** undefined when `ref` is not under refs/gatos/sessions/. */
export function parseSessionRef(ref: string): Result<SessionRef> | undefined {
  if (!ref.startsWith(SESSIONS_PREFIX)) return undefined;
  const parts = ref.slice(SESSIONS_PREFIX.length).split('/');
  if (parts.length !== 3) return err(gateError('VALUE_INVALID', `${ref} is not a session ref`, { hint: REF_HINT }));
  const actor = actorFromPath(`${parts[0] as string}/${parts[1] as string}`);
  if (!actor.ok) return err(gateError('VALUE_INVALID', `${ref}: ${actor.error.message}`, { hint: REF_HINT }));
  if (!isUlid(parts[2] as string)) return err(gateError('VALUE_INVALID', `${ref}: '${parts[2] as string}' is not a ULID`, { hint: REF_HINT }));
  return ok({ ref, actor: actor.value, ulid: parts[2] as string });
}

export const SESSION_VERBS = ['start', 'save', 'undo', 'merge'] as const;
export type SessionVerb = (typeof SESSION_VERBS)[number];

/** What a session commit says of itself. Its tree holds the saved fold state alone (FOLD_STATE_FILE). */
export interface SessionInfo {
  readonly verb: SessionVerb;
  readonly ns: string;
  /** The fold's id in the bundle, and its fold_root. */
  readonly fold: string;
  readonly foldRoot: string;
  /** The checkpoint the session forked from (`start`); the same in every commit of the session. */
  readonly base: string;
  /** The actor's journal head the state has folded up to (save, undo); none before the first save. */
  readonly head?: string;
  /** merge: the checkpoint on refs/gatos/state/<ns> that merges the session. */
  readonly merge?: string;
  /** merge: the accepted governance.conflict event that records the merge's conflict. */
  readonly conflict?: string;
}

const KEYS = { ns: 'Session-NS', fold: 'Session-Fold', foldRoot: 'Fold-Root', base: 'Session-Base', head: 'Session-Head', merge: 'Session-Merge', conflict: 'Session-Conflict' } as const;
const FOLD_ROOT_RE = /^sha256:[0-9a-f]{64}$/;

export function sessionMessage(s: SessionInfo): string {
  const lines = [`${KEYS.ns}: ${s.ns}`, `${KEYS.fold}: ${s.fold}`, `${KEYS.foldRoot}: ${s.foldRoot}`, `${KEYS.base}: ${s.base}`];
  if (s.head !== undefined) lines.push(`${KEYS.head}: ${s.head}`);
  if (s.merge !== undefined) lines.push(`${KEYS.merge}: ${s.merge}`);
  if (s.conflict !== undefined) lines.push(`${KEYS.conflict}: ${s.conflict}`);
  return `session ${s.verb}\n\n${lines.join('\n')}\n`;
}

/** Parses a session commit's message; every piece is checked, and anything else is refused (fail closed). */
export function parseSessionMessage(message: string, format: ObjectFormat): Result<SessionInfo> {
  const bad = (what: string): Result<never> => err(gateError('TRAILER_INVALID', `not a session commit: ${what}`, { hint: 'write session commits with gatos session start|save|undo|merge' }));
  const subject = /^session (start|save|undo|merge)\n\n/.exec(message);
  if (!subject) return bad(`the subject is not 'session start|save|undo|merge'`);
  const verb = subject[1] as SessionVerb;
  const trailers = parseTrailers(message);
  const known = new Set<string>(Object.values(KEYS).map((k) => k.toLowerCase()));
  const stray = trailers.find((t) => !known.has(t.key.toLowerCase()));
  if (stray) return bad(`unknown trailer ${stray.key}`);
  const one = (key: string, required: boolean): Result<string | undefined> => {
    const v = trailerValues(trailers, key);
    if (v.length > 1) return bad(`${key} appears ${v.length} times`);
    if (v.length === 0) return required ? bad(`${key} is missing`) : ok(undefined);
    return ok(v[0]);
  };
  const get: Partial<Record<keyof typeof KEYS, string>> = {};
  for (const [name, key] of Object.entries(KEYS) as [keyof typeof KEYS, string][]) {
    const required = name === 'ns' || name === 'fold' || name === 'foldRoot' || name === 'base' || (name === 'merge' && verb === 'merge');
    const v = one(key, required);
    if (!v.ok) return v;
    if (v.value !== undefined) get[name] = v.value;
  }
  const ns = checkName(get.ns as string, 'namespace');
  if (!ns.ok) return bad(`${KEYS.ns}: ${ns.error.message}`);
  const fold = checkName(get.fold as string, 'fold id');
  if (!fold.ok) return bad(`${KEYS.fold}: ${fold.error.message}`);
  if (!FOLD_ROOT_RE.test(get.foldRoot as string)) return bad(`${KEYS.foldRoot} is not sha256:<64 hex>`);
  for (const name of ['base', 'head', 'merge', 'conflict'] as const) {
    const v = get[name];
    if (v !== undefined && !isObjectId(format, v)) return bad(`${KEYS[name]} '${v.slice(0, 80)}' is not a ${format} object id`);
  }
  if (verb !== 'merge' && (get.merge !== undefined || get.conflict !== undefined)) return bad(`a '${verb}' commit carries ${KEYS.merge} or ${KEYS.conflict}`);
  return ok({
    verb,
    ns: ns.value,
    fold: fold.value,
    foldRoot: get.foldRoot as string,
    base: get.base as string,
    ...(get.head !== undefined ? { head: get.head } : {}),
    ...(get.merge !== undefined ? { merge: get.merge } : {}),
    ...(get.conflict !== undefined ? { conflict: get.conflict } : {}),
  });
}

/** What a governance.conflict event carries: the session commit whose merge conflicts, the state it merges into, and the exact paths and rule ids. */
export interface ConflictRecord {
  readonly session: string;
  readonly state: string;
  readonly conflicts: readonly { readonly path: string; readonly rule: string }[];
}

/** The payload in canonical order: conflicts sorted by path, then rule. */
export function conflictPayload(r: ConflictRecord): { session: string; state: string; conflicts: { path: string; rule: string }[] } {
  const conflicts = r.conflicts.map((c) => ({ path: c.path, rule: c.rule })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.rule < b.rule ? -1 : a.rule > b.rule ? 1 : 0));
  return { session: r.session, state: r.state, conflicts };
}

/** Reads a governance.conflict payload; anything but exactly { session, state, conflicts: [{ path, rule }] } is refused. */
export function parseConflictPayload(v: unknown): Result<ConflictRecord> {
  const bad = (what: string): Result<never> => err(gateError('VALUE_INVALID', `the governance.conflict payload ${what}`, { hint: 'record the payload gatos session merge printed: { "session", "state", "conflicts": [{ "path", "rule" }] }' }));
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('is not an object');
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).sort();
  if (keys.join(',') !== 'conflicts,session,state') return bad(`has the fields ${keys.join(', ') || '(none)'}, not conflicts, session, state`);
  if (typeof o.session !== 'string' || typeof o.state !== 'string') return bad('names its session or state by something else than a commit id');
  if (!Array.isArray(o.conflicts) || o.conflicts.length === 0) return bad('lists no conflicts');
  const conflicts: { path: string; rule: string }[] = [];
  for (const c of o.conflicts as unknown[]) {
    if (typeof c !== 'object' || c === null || Array.isArray(c)) return bad('has a conflict that is not an object');
    const e = c as Record<string, unknown>;
    if (Object.keys(e).sort().join(',') !== 'path,rule' || typeof e.path !== 'string' || typeof e.rule !== 'string') return bad('has a conflict that is not exactly { path, rule }');
    conflicts.push({ path: e.path, rule: e.rule });
  }
  return ok({ session: o.session, state: o.state, conflicts });
}

/** Whether two conflict lists name exactly the same (path, rule) pairs. */
export function sameConflicts(a: ConflictRecord['conflicts'], b: ConflictRecord['conflicts']): boolean {
  const key = (c: { path: string; rule: string }): string => `${c.path}\u0000${c.rule}`;
  const x = [...new Set(a.map(key))].sort();
  const y = [...new Set(b.map(key))].sort();
  return x.length === y.length && x.every((k, i) => k === y[i]);
}
