/**
 * The epoch anchor (docs/epochs.md): an event envelope of type
 * `gatos.epoch.anchor`, signed and committed exactly like an event
 * (src/events), whose payload links the namespace's previous anchor, the
 * journal heads the new epoch starts from, and the state checkpoint and
 * State-Root at the boundary. The envelope's ULID is the epoch id, its
 * policy_root the active bundle. The anchor commit's one parent is the
 * previous anchor's commit (none for the first), so anchors form a chain in
 * git as well as in their signed payloads. Pure.
 */
import { err, gateError, ok, type Result } from '../core/result';
import { checkName, JOURNAL_PREFIX, parseJournalRef } from '../actors';
import { isUlid } from '../canon/ulid';

export const ANCHOR_TYPE = 'gatos.epoch.anchor';
export const EPOCH_PREFIX = 'refs/gatos/epoch/';
const COMMIT_ID_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const STATE_ROOT_RE = /^blake3:[0-9a-f]{64}$/;

export interface AnchorState {
  /** The state checkpoint commit on refs/gatos/state/<ns> at the boundary. */
  readonly checkpoint: string;
  /** Its State-Root. */
  readonly stateRoot: string;
}

/** What an anchor's payload says. */
export interface AnchorPayload {
  /** 1 for a namespace's first epoch, previous + 1 after. */
  readonly seq: number;
  /** The previous anchor's commit, null for the first. */
  readonly prev: string | null;
  /** Every journal of the namespace and its head at the boundary, by ref. */
  readonly heads: ReadonlyMap<string, string>;
  /** The checkpoint at the boundary, null when the namespace has none. */
  readonly state: AnchorState | null;
}

/** An anchor as read from its commit: the envelope's parts the chain needs, and the payload. */
export interface Anchor extends AnchorPayload {
  readonly commit: string;
  /** The commit's parent (the chain link in git), null for a root commit. */
  readonly parent: string | null;
  /** The epoch id (the envelope's ULID). */
  readonly epoch: string;
  readonly ns: string;
  readonly actor: string;
  /** `ed25519:<hex>`. */
  readonly signer: string;
  /** Epoch seconds. */
  readonly ts: number;
  readonly policyRoot: string;
}

/** refs/gatos/epoch/<ns>/<epoch-id>. */
export function epochRef(ns: string, epoch: string): Result<string> {
  const n = checkName(ns, 'namespace');
  if (!n.ok) return n;
  if (!isUlid(epoch)) return err(gateError('VALUE_INVALID', `${JSON.stringify(epoch)} is not an epoch id (a ULID)`));
  return ok(`${EPOCH_PREFIX}${ns}/${epoch}`);
}

/** The namespace and epoch id of an epoch ref, or why it is not one. */
export function parseEpochRef(ref: string): Result<{ ns: string; epoch: string }> {
  const hint = 'epoch anchors are refs/gatos/epoch/<ns>/<epoch-id>, the id a ULID (gatos epoch new writes them)';
  if (!ref.startsWith(EPOCH_PREFIX)) return err(gateError('VALUE_INVALID', `${ref} is not an epoch ref`, { hint }));
  const parts = ref.slice(EPOCH_PREFIX.length).split('/');
  if (parts.length !== 2) return err(gateError('VALUE_INVALID', `${ref} is not <ns>/<epoch-id> under ${EPOCH_PREFIX}`, { hint }));
  const ns = checkName(parts[0] as string, 'namespace');
  if (!ns.ok) return ns;
  const epoch = parts[1] as string;
  if (!isUlid(epoch)) return err(gateError('VALUE_INVALID', `epoch id ${JSON.stringify(epoch)} is not a ULID`, { hint }));
  return ok({ ns: ns.value, epoch });
}

/** The payload as the envelope carries it (plain data; canonical CBOR sorts the keys). */
export function anchorPayload(p: AnchorPayload): Record<string, unknown> {
  const heads: Record<string, string> = {};
  for (const [ref, id] of [...p.heads].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) heads[ref] = id;
  return {
    heads,
    prev: p.prev,
    seq: p.seq,
    state: p.state ? { checkpoint: p.state.checkpoint, state_root: p.state.stateRoot } : null,
    v: 1,
  };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function keysAre(m: Record<string, unknown>, keys: readonly string[]): boolean {
  return JSON.stringify(Object.keys(m).sort()) === JSON.stringify([...keys].sort());
}

/** Reads an anchor's payload strictly: exactly the known fields, each well formed, every head a journal of `ns`. */
export function readAnchorPayload(payload: unknown, ns: string): Result<AnchorPayload> {
  const bad = (m: string): Result<never> => err(gateError('ENCODING_INVALID', `anchor payload: ${m}`, { hint: 'write anchors with gatos epoch new (docs/epochs.md)' }));
  if (!isMap(payload) || !keysAre(payload, ['heads', 'prev', 'seq', 'state', 'v'])) return bad('expected exactly the fields heads, prev, seq, state, v');
  if (payload.v !== 1 && payload.v !== 1n) return bad(`'v' must be 1`);
  const seq = typeof payload.seq === 'bigint' ? Number(payload.seq) : payload.seq;
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return bad(`'seq' must be an integer from 1`);
  const prev = payload.prev;
  if (prev !== null && (typeof prev !== 'string' || !COMMIT_ID_RE.test(prev))) return bad(`'prev' must be a commit id or null`);
  if ((prev === null) !== (seq === 1)) return bad(`'prev' is null exactly for the first epoch (seq 1); here seq is ${seq}`);
  if (!isMap(payload.heads)) return bad(`'heads' must be a map of journal ref to commit id`);
  const heads = new Map<string, string>();
  for (const [ref, id] of Object.entries(payload.heads)) {
    const j = parseJournalRef(ref);
    if (!j.ok || j.value.ns !== ns) return bad(`head ${JSON.stringify(ref)} is not a journal of namespace ${ns} (${JOURNAL_PREFIX}${ns}/<kind>/<name>)`);
    if (typeof id !== 'string' || !COMMIT_ID_RE.test(id)) return bad(`the head of ${ref} must be a commit id`);
    heads.set(ref, id);
  }
  let state: AnchorState | null = null;
  if (payload.state !== null) {
    const s = payload.state;
    if (!isMap(s) || !keysAre(s, ['checkpoint', 'state_root'])) return bad(`'state' must be null or {checkpoint, state_root}`);
    if (typeof s.checkpoint !== 'string' || !COMMIT_ID_RE.test(s.checkpoint)) return bad(`'state.checkpoint' must be a commit id`);
    if (typeof s.state_root !== 'string' || !STATE_ROOT_RE.test(s.state_root)) return bad(`'state.state_root' must be blake3:<64 hex>`);
    state = { checkpoint: s.checkpoint, stateRoot: s.state_root };
  }
  return ok({ seq, prev, heads, state });
}
