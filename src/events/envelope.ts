/**
 * The event envelope (docs/formats.md §6): a DAG-CBOR map of exactly the
 * fields type, ulid, actor, ns, caps (when any), payload, policy_root,
 * fold_root, sig_alg and ts. Its canonical bytes are what is signed and what
 * Event-CID names. Pure.
 */
import { decodeStrict, tryEncodeCanonical } from '../canon/cbor';
import { eventCid } from '../canon/cid';
import { parseDigest } from '../canon/digest';
import { describeTextProblem, textHint, textProblem } from '../canon/text';
import { err, gateError, ok, type Result } from '../core/result';
import { checkName, parseActor } from '../actors';
import { checkFoldInput } from '../fold/event-input';
import { CAP_RE, formatTime, parseTime } from '../trust';
import { isUlid } from '../canon/ulid';

export const TYPE_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const COMMIT_ID_RE = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const FIELDS = ['actor', 'caps', 'fold_root', 'ns', 'payload', 'policy_root', 'sig_alg', 'ts', 'type', 'ulid'] as const;

export interface Envelope {
  readonly type: string;
  readonly ulid: string;
  readonly actor: string;
  readonly ns: string;
  readonly caps: readonly string[];
  readonly payload: unknown;
  readonly policy_root: string;
  readonly fold_root: string;
  readonly sig_alg: 'ed25519';
  /** Epoch seconds. */
  readonly ts: number;
}

export interface EncodedEnvelope {
  readonly envelope: Envelope;
  readonly bytes: Uint8Array;
  readonly cid: string;
}

function invalid(message: string, hint = 'see docs/formats.md §6 for the envelope'): Result<never> {
  return err(gateError('ENCODING_INVALID', message, { hint }));
}

/** Checks every field; returns the first problem. */
export function checkEnvelope(e: Envelope): Result<Envelope> {
  if (!TYPE_RE.test(e.type)) return err(gateError('VALUE_INVALID', `event type ${JSON.stringify(e.type)} is not valid`, { hint: "a type is like 'invoice.created': letters, digits, . _ : -, at most 128" }));
  if (!isUlid(e.ulid)) return err(gateError('VALUE_INVALID', `${JSON.stringify(e.ulid)} is not a ULID`, { hint: '26 characters of Crockford base32 in upper case, e.g. 01J9Z8K6QW3T5V7X9Y1A2B3C4D' }));
  const a = parseActor(e.actor);
  if (!a.ok) return a;
  const ns = checkName(e.ns, 'namespace');
  if (!ns.ok) return ns;
  for (let i = 0; i < e.caps.length; i++) {
    const c = e.caps[i] as string;
    if (!CAP_RE.test(c)) return err(gateError('VALUE_INVALID', `capability ${JSON.stringify(c)} is not valid`, { hint: "capabilities are like 'journal:append'" }));
    if (i > 0 && (e.caps[i - 1] as string) >= c) return invalid("'caps' must be sorted and free of repeats");
  }
  const payload = checkFoldInput(e.payload, 'payload');
  if (!payload.ok) return err({ ...payload.error, code: 'VALUE_INVALID' });
  if (!COMMIT_ID_RE.test(e.policy_root)) return invalid(`'policy_root' ${JSON.stringify(e.policy_root)} is not a commit id`);
  const fr = parseDigest(e.fold_root, 'sha256');
  if (!fr.ok) return fr;
  if (e.sig_alg !== 'ed25519') return invalid(`'sig_alg' ${JSON.stringify(e.sig_alg)} is not supported`, "only 'ed25519' is");
  if (!Number.isSafeInteger(e.ts) || e.ts < 0) return invalid(`'ts' ${e.ts} is not a time`);
  return ok(e);
}

/** The first string or map key of a payload that is not GATOS text, described with its path. */
function payloadTextProblem(v: unknown, where: string, depth: number): string | undefined {
  if (typeof v === 'string') {
    const p = textProblem(v);
    return p ? describeTextProblem(v, p, `text at ${where}`) : undefined;
  }
  // checkFoldInput already bounded the depth and refused anything but plain data.
  if (depth > 300 || v === null || typeof v !== 'object' || v instanceof Uint8Array) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const bad = payloadTextProblem(v[i], `${where}[${i}]`, depth + 1);
      if (bad) return bad;
    }
    return undefined;
  }
  for (const [k, x] of Object.entries(v)) {
    const p = textProblem(k);
    if (p) return describeTextProblem(k, p, `key at ${where}`);
    const bad = payloadTextProblem(x, `${where}.${k}`, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}

/**
 * Text a fold would refuse to emit (src/canon/text.ts, the one predicate
 * both use) never enters a journal: the type, actor, namespace and every
 * string and map key of the payload are well-formed Unicode in NFC. The
 * producer checks it before signing (encodeEnvelope), the gate on every
 * pushed event (verifyEvent). Readers of history (a fold window) do not,
 * so events accepted before this rule existed stay readable.
 */
export function checkEnvelopeText(e: Envelope): Result<Envelope> {
  for (const [what, text] of [['type', e.type], ['actor', e.actor], ['ns', e.ns]] as const) {
    const p = textProblem(text);
    if (p) return err(gateError('ENCODING_INVALID', `the event's ${describeTextProblem(text, p, what)}`, { hint: textHint(p) }));
  }
  const bad = payloadTextProblem(e.payload, 'payload', 0);
  if (bad) return err(gateError('ENCODING_INVALID', `the event's ${bad}`, { hint: 'GATOS text is well-formed Unicode in NFC: normalize every string and key of the payload to NFC before signing' }));
  return ok(e);
}

function toMap(e: Envelope): Record<string, unknown> {
  return {
    actor: e.actor,
    ...(e.caps.length > 0 ? { caps: [...e.caps] } : {}),
    fold_root: e.fold_root,
    ns: e.ns,
    payload: e.payload === undefined ? null : e.payload,
    policy_root: e.policy_root,
    sig_alg: e.sig_alg,
    ts: formatTime(e.ts),
    type: e.type,
    ulid: e.ulid,
  };
}

/** The canonical bytes and Event-CID of a checked envelope. */
export function encodeEnvelope(e: Envelope): Result<EncodedEnvelope> {
  const checked = checkEnvelope(e);
  if (!checked.ok) return checked;
  const text = checkEnvelopeText(e);
  if (!text.ok) return text;
  const bytes = tryEncodeCanonical(toMap(e));
  if (!bytes.ok) return bytes;
  return ok({ envelope: e, bytes: bytes.value, cid: eventCid(bytes.value) });
}

/** Reads canonical envelope bytes strictly: canonical form, exactly the known fields, each valid. */
export function decodeEnvelope(bytes: Uint8Array): Result<EncodedEnvelope> {
  const e = readEnvelope(bytes);
  return e.ok ? ok({ envelope: e.value, bytes, cid: eventCid(bytes) }) : e;
}

/**
 * decodeEnvelope's checks without the Event-CID, for readers that never use
 * it (a fold window): the CID's BLAKE3 was a third of decoding an envelope.
 */
export function readEnvelope(bytes: Uint8Array): Result<Envelope> {
  const d = decodeStrict(bytes, 'event envelope');
  if (!d.ok) return d;
  const m = d.value;
  if (typeof m !== 'object' || m === null || Array.isArray(m) || m instanceof Uint8Array) return invalid('an event envelope must be a map');
  const o = m as Record<string, unknown>;
  const extra = Object.keys(o).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (extra.length) return invalid(`unknown envelope field(s): ${extra.join(', ')}`);
  for (const k of FIELDS) if (k !== 'caps' && !(k in o)) return invalid(`the envelope has no '${k}'`);
  for (const k of ['type', 'ulid', 'actor', 'ns', 'policy_root', 'fold_root', 'sig_alg', 'ts'] as const) {
    if (typeof o[k] !== 'string') return invalid(`envelope field '${k}' must be a text string`);
  }
  if ('caps' in o && (!Array.isArray(o.caps) || o.caps.length === 0 || !o.caps.every((c) => typeof c === 'string'))) return invalid("'caps' must be a non-empty list of strings when present");
  const ts = parseTime(o.ts as string, "envelope 'ts'");
  if (!ts.ok) return err({ ...ts.error, code: 'ENCODING_INVALID' });
  const e: Envelope = {
    type: o.type as string,
    ulid: o.ulid as string,
    actor: o.actor as string,
    ns: o.ns as string,
    caps: (o.caps as string[] | undefined) ?? [],
    payload: o.payload,
    policy_root: o.policy_root as string,
    fold_root: o.fold_root as string,
    sig_alg: o.sig_alg as 'ed25519',
    ts: ts.value,
  };
  const checked = checkEnvelope(e);
  if (!checked.ok) return err({ ...checked.error, code: 'ENCODING_INVALID' });
  return ok(e);
}
