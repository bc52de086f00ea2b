/**
 * The Proof-of-Fold envelope stored as .gatos/proof.cbor in a checkpoint
 * (docs/formats.md §8), and inputs_root. Canonical DAG-CBOR; read strictly.
 * Pure.
 */
import { decodeStrict, tryEncodeCanonical } from '../canon/cbor';
import { blake3Text } from '../canon/digest';
import { err, expectOk, gateError, ok, type Result } from '../core/result';
import { formatTime, parseTime } from '../trust';

export const PROOF_TYPE = 'gatos/proof-of-fold';
export const PROOF_FILE = '.gatos/proof.cbor';
export const FOLD_STATE_FILE = '.gatos/fold-state.cbor';
export const RESERVED_DIR = '.gatos';

export interface WindowEntry {
  readonly journal: string;
  /** The head folded by the previous checkpoint (exclusive), or null: from the journal's first event. */
  readonly start: string | null;
  readonly end: string;
  readonly events: number;
}

export interface Stamp {
  readonly ulid: string;
  readonly journal: string;
  readonly commit: string;
}

export interface Proof {
  readonly ns: string;
  readonly foldId: string;
  readonly foldRoot: string;
  readonly foldEngine: string;
  readonly policyRoot: string;
  readonly policyCodeRoot: string;
  readonly stateRoot: string;
  readonly foldStateRoot: string;
  readonly inputsRoot: string;
  readonly window: readonly WindowEntry[];
  readonly base: 'resume' | 'scratch';
  readonly prev: string | null;
  readonly events: number;
  readonly watermark: Stamp | null;
  readonly actor: string;
  readonly key: string;
  /** Epoch seconds. */
  readonly ts: number;
}

/** blake3 over the canonical DAG-CBOR of every input head, sorted by journal ref. */
export function inputsRoot(heads: ReadonlyMap<string, string>): string {
  const pairs = [...heads].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return blake3Text(expectOk(tryEncodeCanonical({ heads: pairs, v: 1 })));
}

export function encodeProof(p: Proof): Result<Uint8Array> {
  return tryEncodeCanonical({
    actor: p.actor,
    base: p.base,
    events: p.events,
    fold_engine: p.foldEngine,
    fold_id: p.foldId,
    fold_root: p.foldRoot,
    fold_state_root: p.foldStateRoot,
    inputs_root: p.inputsRoot,
    key: p.key,
    ns: p.ns,
    policy_code_root: p.policyCodeRoot,
    policy_root: p.policyRoot,
    prev: p.prev,
    state_root: p.stateRoot,
    ts: formatTime(p.ts),
    type: PROOF_TYPE,
    v: 1,
    watermark: p.watermark ? { commit: p.watermark.commit, journal: p.watermark.journal, ulid: p.watermark.ulid } : null,
    window: p.window.map((w) => ({ end: w.end, events: w.events, journal: w.journal, start: w.start })),
  });
}

function bad(message: string): Result<never> {
  return err(gateError('ENCODING_INVALID', `${PROOF_FILE}: ${message}`, { hint: 'write checkpoints with gatos fold checkpoint' }));
}

const KEYS = ['actor', 'base', 'events', 'fold_engine', 'fold_id', 'fold_root', 'fold_state_root', 'inputs_root', 'key', 'ns', 'policy_code_root', 'policy_root', 'prev', 'state_root', 'ts', 'type', 'v', 'watermark', 'window'];

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

const str = (v: unknown): v is string => typeof v === 'string';
const count = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

export function decodeProof(bytes: Uint8Array): Result<Proof> {
  const d = decodeStrict(bytes, PROOF_FILE);
  if (!d.ok) return d;
  const m = d.value;
  if (!isMap(m)) return bad('not a map');
  const keys = Object.keys(m).sort();
  if (JSON.stringify(keys) !== JSON.stringify(KEYS)) return bad(`its fields are ${keys.join(', ')}; expected ${KEYS.join(', ')}`);
  if (m.type !== PROOF_TYPE || m.v !== 1) return bad(`not a ${PROOF_TYPE} v1 envelope`);
  for (const k of ['actor', 'fold_engine', 'fold_id', 'fold_root', 'fold_state_root', 'inputs_root', 'key', 'ns', 'policy_code_root', 'policy_root', 'state_root', 'ts']) if (!str(m[k])) return bad(`'${k}' must be a text string`);
  if (m.base !== 'resume' && m.base !== 'scratch') return bad("'base' must be 'resume' or 'scratch'");
  if (m.prev !== null && !str(m.prev)) return bad("'prev' must be a commit id or null");
  if (!count(m.events)) return bad("'events' must be a count");
  const ts = parseTime(m.ts as string, "proof 'ts'");
  if (!ts.ok) return bad(ts.error.message);
  let watermark: Stamp | null = null;
  if (m.watermark !== null) {
    const w = m.watermark;
    if (!isMap(w) || Object.keys(w).length !== 3 || !str(w.ulid) || !str(w.journal) || !str(w.commit)) return bad("'watermark' must be null or {commit, journal, ulid}");
    watermark = { ulid: w.ulid, journal: w.journal, commit: w.commit };
  }
  if (!Array.isArray(m.window) || m.window.length === 0) return bad("'window' must be a non-empty list");
  const window: WindowEntry[] = [];
  for (const w of m.window as unknown[]) {
    if (!isMap(w) || Object.keys(w).length !== 4 || !str(w.journal) || !str(w.end) || !(w.start === null || str(w.start)) || !count(w.events)) return bad("each window entry is {end, events, journal, start}");
    if (window.length && (window[window.length - 1] as WindowEntry).journal >= w.journal) return bad("'window' must be sorted by journal, without repeats");
    window.push({ journal: w.journal, start: w.start as string | null, end: w.end, events: w.events });
  }
  return ok({
    ns: m.ns as string,
    foldId: m.fold_id as string,
    foldRoot: m.fold_root as string,
    foldEngine: m.fold_engine as string,
    policyRoot: m.policy_root as string,
    policyCodeRoot: m.policy_code_root as string,
    stateRoot: m.state_root as string,
    foldStateRoot: m.fold_state_root as string,
    inputsRoot: m.inputs_root as string,
    window,
    base: m.base,
    prev: m.prev as string | null,
    events: m.events,
    watermark,
    actor: m.actor as string,
    key: m.key as string,
    ts: ts.value,
  });
}
