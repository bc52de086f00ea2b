/**
 * Run-time values of a request and the guards that check them. A request
 * comes from outside (JSON, the gate), so every read is checked against the
 * declared type; a failed check is an EvalFailure that turns the rule into
 * a deny naming the attribute.
 */

export type Request = Readonly<Record<string, unknown>>;

export class EvalFailure {
  constructor(
    /** The attribute (or expression) at fault, e.g. 'actor.trust'. */
    readonly subject: string,
    readonly message: string,
  ) {}
}

export function missing(subject: string): EvalFailure {
  return new EvalFailure(subject, `missing attribute '${subject}'`);
}

export function wrongType(subject: string, expected: string, got: unknown): EvalFailure {
  return new EvalFailure(subject, `attribute '${subject}' is ${describeValue(got)}, expected ${expected}`);
}

export { intern } from '../core/intern';

export const hasOwn = (o: object, k: string): boolean => Object.hasOwn(o, k);

export function isObject(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

export function isStringSet(v: unknown): v is readonly string[] {
  if (!Array.isArray(v)) return false;
  for (let i = 0; i < v.length; i++) if (typeof v[i] !== 'string') return false;
  return true;
}

/**
 * A decoded value named in an error, never a throw: a string quoted as JSON (cut to `max` characters), an integer
 * as its digits, anything else by its kind. Compiled policies come from CBOR, whose integers may decode to bigint,
 * which JSON.stringify refuses.
 */
export function quotedValue(v: unknown, max = Number.POSITIVE_INFINITY): string {
  if (typeof v === 'string') return JSON.stringify(v).slice(0, max);
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (v === undefined) return 'nothing';
  return describeValue(v);
}

export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return isStringSet(v) ? 'a set of strings' : 'a list that is not a set of strings';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'an integer' : 'a number that is not a safe integer';
  if (typeof v === 'object') return 'a record';
  return `a ${typeof v}`;
}

function strictlySorted(v: readonly string[]): boolean {
  for (let i = 1; i < v.length; i++) if (!((v[i - 1] as string) < (v[i] as string))) return false;
  return true;
}

/** Deterministic short text of a value for reasons and traces. */
export function renderValue(v: unknown, depth = 0): string {
  if (typeof v === 'string') return `'${v.length > 120 ? `${v.slice(0, 117)}...` : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) {
    if (!isStringSet(v)) return '[...]';
    if (v.length <= 5 && strictlySorted(v)) {
      // Already sorted without duplicates (the usual request): the general form below would print the same.
      let out = '[';
      for (let i = 0; i < v.length; i++) out += (i > 0 ? ', ' : '') + renderValue(v[i], depth + 1);
      return `${out}]`;
    }
    const sorted = [...new Set(v)].sort();
    const shown = sorted.slice(0, 5).map((x) => renderValue(x, depth + 1));
    if (sorted.length > 5) shown.push(`... (+${sorted.length - 5} more)`);
    return `[${shown.join(', ')}]`;
  }
  if (typeof v === 'object') {
    if (depth >= 2) return '{...}';
    const keys = Object.keys(v).sort();
    const shown = keys.slice(0, 6).map((k) => `${k}: ${renderValue((v as Record<string, unknown>)[k], depth + 1)}`);
    if (keys.length > 6) shown.push(`... (+${keys.length - 6} more)`);
    return `{${shown.join(', ')}}`;
  }
  return typeof v;
}
