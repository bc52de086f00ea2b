/**
 * Events from the outside world (decoded DAG-CBOR envelopes, JSON Lines)
 * turned into FoldEvents. Integers become bigint and must lie in the fold
 * integer range, signed 64-bit (src/canon/integers.ts);
 * a non-integer number is refused, because folds are exact and a float
 * would make results depend on how someone else's machine rounds.
 */
import { FOLD_INT_RANGE, inRange } from '../canon/integers';
import { err, gateError, ok, type Result } from '../core/result';
import type { FoldEvent, FoldInput } from './contract';

/** Deeper payloads are refused rather than risking the call stack. */
export const MAX_PAYLOAD_DEPTH = 256;

const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const NO_SPACE = /^[^\s\u0000-\u001f\u007f]+$/;
const FLOAT_HINT = 'encode decimals as integer minor units or strings';
const BIG_HINT = 'folds compute with signed 64-bit integers; write a larger number (a u64 above 2^63-1, an s128) as a decimal string';

/** `value` as a FoldInput; `where` names its place in messages (e.g. "payload.amount"). */
export function toFoldInput(value: unknown, where = 'payload'): Result<FoldInput> {
  const out = convert(value, where, 0, true);
  return 'value' in out ? ok(out.value) : refusal(out);
}

/**
 * toFoldInput's verdict and error without the FoldInput: the same walk,
 * building nothing (the gate checks every pushed envelope's payload, and
 * converts it again only where a fold reads it).
 */
export function checkFoldInput(value: unknown, where = 'payload'): Result<void> {
  const out = convert(value, where, 0, false);
  return 'value' in out ? ok(undefined) : refusal(out);
}

function refusal(out: Refused): Result<never> {
  const hint = out.float ? FLOAT_HINT : out.big ? BIG_HINT : 'events carry null, booleans, integers, strings, bytes, arrays and maps';
  return err(gateError('FOLD_ERROR', out.problem, { hint }));
}

type Refused = { readonly problem: string; readonly float: boolean; readonly big?: boolean };
type Converted = { readonly value: FoldInput } | Refused;

/** What a check-only walk answers for an accepted value (its `value` is never read). */
const CHECKED: Converted = { value: null };

/** `build` false: the same checks in the same order, CHECKED instead of each converted value. */
function convert(value: unknown, where: string, depth: number, build: boolean): Converted {
  if (depth > MAX_PAYLOAD_DEPTH) return { problem: `at ${where}: the value is nested more than ${MAX_PAYLOAD_DEPTH} levels deep`, float: false };
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return build ? { value } : CHECKED;
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return { problem: `at ${where}: ${String(value)} is not an integer; folds take no floating-point numbers`, float: true };
    if (!Number.isSafeInteger(value)) return { problem: `at ${where}: ${String(value)} is a floating-point number too large to be an exact integer`, float: true };
    return build ? { value: BigInt(value) } : CHECKED;
  }
  if (typeof value === 'bigint') {
    if (!inRange(value, FOLD_INT_RANGE)) return { problem: `at ${where}: the integer ${value} is outside ${FOLD_INT_RANGE.name}`, float: false, big: true };
    return build ? { value } : CHECKED;
  }
  if (value instanceof Uint8Array) return build ? { value } : CHECKED;
  if (Array.isArray(value)) {
    const items: FoldInput[] = [];
    for (let i = 0; i < value.length; i++) {
      const r = convert(value[i], `${where}[${i}]`, depth + 1, build);
      if (!('value' in r)) return r;
      if (build) items.push(r.value);
    }
    return build ? { value: items } : CHECKED;
  }
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return { problem: `at ${where}: a ${describe(value)} is not a value an event can carry`, float: false };
    const entries: [string, FoldInput][] = [];
    for (const [k, v] of Object.entries(value)) {
      const r = convert(v, `${where}.${k}`, depth + 1, build);
      if (!('value' in r)) return r;
      if (build) entries.push([k, r.value]);
    }
    // fromEntries defines own properties, so a key "__proto__" stays data.
    return build ? { value: Object.fromEntries(entries) } : CHECKED;
  }
  return { problem: `at ${where}: a ${typeof value} is not a value an event can carry`, float: false };
}

function describe(value: object): string {
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name ? name : 'non-plain object';
}

/** Where an envelope was read from: the journal ref and the commit that carries it. */
export interface EventOrigin {
  readonly journal: string;
  readonly commit: string;
}

/**
 * A FoldEvent from a decoded event envelope (fields `type`, `ulid`, `actor`,
 * `payload`; others such as `caps`, `sig` or `policy_root` are not the fold's
 * business and are ignored).
 */
export function foldEventFromEnvelope(envelope: unknown, origin: EventOrigin): Result<FoldEvent> {
  if (typeof envelope !== 'object' || envelope === null || Array.isArray(envelope) || envelope instanceof Uint8Array) {
    return err(gateError('FOLD_ERROR', 'an event envelope must be a map', { hint: 'an envelope has type, ulid, actor and payload' }));
  }
  const env = envelope as Readonly<Record<string, unknown>>;
  const journal = textField(origin.journal, 'journal', NO_SPACE, 'a ref name such as refs/gatos/journal/finance/user/alice');
  if (!journal.ok) return journal;
  const commit = textField(origin.commit, 'commit', NO_SPACE, 'the id of the commit that carries the event');
  if (!commit.ok) return commit;
  const ulid = textField(env.ulid, 'ulid', ULID, '26 characters of Crockford base32 in upper case, e.g. 01J9Z8K6QW3T5V7X9Y1A2B3C4D');
  if (!ulid.ok) return ulid;
  const type = textField(env.type, 'type', NO_SPACE, "a dotted name such as 'invoice.created'");
  if (!type.ok) return type;
  const actor = textField(env.actor, 'actor', NO_SPACE, "an actor such as 'user:alice'");
  if (!actor.ok) return actor;
  const payload = toFoldInput(env.payload === undefined ? null : env.payload, 'payload');
  if (!payload.ok) return err({ ...payload.error, message: `${ulid.value}: ${payload.error.message}` });
  return ok({ journal: journal.value, commit: commit.value, ulid: ulid.value, type: type.value, actor: actor.value, payload: payload.value });
}

function textField(value: unknown, name: string, shape: RegExp, expected: string): Result<string> {
  if (typeof value !== 'string') {
    return err(gateError('FOLD_ERROR', `the event's '${name}' is ${value === undefined ? 'missing' : `a ${typeof value}, not a string`}`, { hint: `write ${expected}` }));
  }
  if (!shape.test(value)) {
    return err(gateError('FOLD_ERROR', `the event's '${name}' ${JSON.stringify(value.slice(0, 60))} is malformed`, { hint: `write ${expected}` }));
  }
  return ok(value);
}
