/**
 * Canonical JSON per RFC 8785 (JCS), with two GATOS rules on top:
 *   - strings (values and keys) must already be in Unicode NFC; a string that
 *     is not is rejected with its path, never normalized, because silently
 *     changing signed text would make two different inputs hash the same;
 *   - bigint is written as its exact integer digits (beyond I-JSON for
 *     |n| > 2^53; see docs/encodings.md), within s128 (integers.ts).
 * Keys are sorted by UTF-16 code units, numbers use the ECMAScript
 * Number-to-String form (-0 becomes 0; NaN and Infinity are refused).
 */
import { utf8 } from '../core/bytes';
import { err, gateError, ok, type GateError, type Result } from '../core/result';
import { formatJsonPath, type JsonPath, type JsonValue } from './json-value';
import { inRange, JSON_INT_RANGE } from './integers';
import { describeTextProblem, textHint, textProblem } from './text';

export type { JsonValue } from './json-value';
export { parseJsonStrict } from './json-strict';

/** Deeper values are refused (this also stops cyclic objects). */
export const MAX_CANONICAL_DEPTH = 512;

/** The canonical UTF-8 bytes of `value`. */
export function canonicalJson(value: JsonValue): Result<Uint8Array> {
  const text = canonicalJsonText(value);
  return text.ok ? ok(utf8(text.value)) : text;
}

/** The canonical text of `value` (encode it as UTF-8 to get the signed bytes). */
export function canonicalJsonText(value: JsonValue): Result<string> {
  return serialize(value, true);
}

/**
 * Plain RFC 8785 text, without the GATOS NFC rule: for checking interop with
 * other JCS implementations and their published vectors only. GATOS artifacts
 * that are signed or hashed always go through canonicalJson.
 */
export function rfc8785Text(value: JsonValue): Result<string> {
  return serialize(value, false);
}

/**
 * Whether canonicalJson(value) succeeds, and its error if not, without
 * building the text: the same walk and checks, the output thrown away. For
 * a caller that needs only the answer (the fold dry-run of decision 0013).
 */
export function checkCanonicalJson(value: JsonValue): Result<void> {
  const problem = new Writer(true, undefined).write(value, []);
  return problem ? err(canonicalizeError(problem)) : ok(undefined);
}

function serialize(value: JsonValue, requireNfc: boolean): Result<string> {
  const out: string[] = [];
  const problem = new Writer(requireNfc, out).write(value, []);
  if (problem) return err(canonicalizeError(problem));
  return ok(out.join(''));
}

function canonicalizeError(problem: Problem): GateError {
  return gateError('ENCODING_INVALID', `cannot canonicalize JSON: ${problem.message} at ${formatJsonPath(problem.path)}`, { hint: problem.hint });
}

interface Problem {
  readonly message: string;
  readonly path: JsonPath;
  readonly hint: string;
}


/**
 * Appends canonical text to `out` (without one, only checks: `out?.push(...)`
 * then evaluates nothing); each write returns the first problem instead, if any.
 */
class Writer {
  constructor(private readonly requireNfc: boolean, private readonly out: string[] | undefined) {}

  write(value: unknown, path: (string | number)[]): Problem | undefined {
    const out = this.out;
    if (value === null) {
      out?.push('null');
      return undefined;
    }
    switch (typeof value) {
      case 'boolean':
        out?.push(value ? 'true' : 'false');
        return undefined;
      case 'number':
        if (!Number.isFinite(value)) {
          return { message: `the number ${String(value)} has no JSON form`, path: [...path], hint: 'JSON numbers are finite; encode special values as strings' };
        }
        // JSON.stringify applies ECMAScript Number::toString and writes -0 as 0, as RFC 8785 requires.
        out?.push(JSON.stringify(value));
        return undefined;
      case 'bigint':
        if (!inRange(value, JSON_INT_RANGE)) {
          return { message: `the integer ${value} is outside ${JSON_INT_RANGE.name}`, path: [...path], hint: 'write it as a decimal string' };
        }
        out?.push(value.toString());
        return undefined;
      case 'string': {
        const bad = this.checkString(value, path, 'string');
        if (bad) return bad;
        out?.push(JSON.stringify(value));
        return undefined;
      }
      case 'object':
        if (path.length >= MAX_CANONICAL_DEPTH) {
          return { message: `the value is nested more than ${MAX_CANONICAL_DEPTH} levels deep (or refers to itself)`, path: [...path], hint: 'flatten the structure' };
        }
        if (Array.isArray(value)) return this.writeArray(value, path);
        if (isPlainObject(value)) return this.writeObject(value, path);
        return { message: `a ${describe(value)} is not a JSON value`, path: [...path], hint: 'convert it to a string, number, array or plain object first' };
      default:
        return { message: `a ${typeof value} is not a JSON value`, path: [...path], hint: 'remove it or convert it to a JSON value' };
    }
  }

  private writeArray(items: readonly unknown[], path: (string | number)[]): Problem | undefined {
    const out = this.out;
    out?.push('[');
    for (let i = 0; i < items.length; i++) {
      if (i > 0) out?.push(',');
      path.push(i);
      const bad = this.write(items[i], path);
      path.pop();
      if (bad) return bad;
    }
    out?.push(']');
    return undefined;
  }

  private writeObject(obj: Readonly<Record<string, unknown>>, path: (string | number)[]): Problem | undefined {
    const out = this.out;
    // RFC 8785 3.2.3: sort by UTF-16 code units, which is what < on strings compares.
    const keys = Object.keys(obj).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    out?.push('{');
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i] as string;
      path.push(key);
      const badKey = this.checkString(key, path, 'key');
      if (badKey) {
        path.pop();
        return badKey;
      }
      if (i > 0) out?.push(',');
      out?.push(JSON.stringify(key), ':');
      const bad = this.write(obj[key], path);
      path.pop();
      if (bad) return bad;
    }
    out?.push('}');
    return undefined;
  }

  private checkString(s: string, path: JsonPath, what: 'string' | 'key'): Problem | undefined {
    const p = textProblem(s, this.requireNfc);
    return p ? { message: describeTextProblem(s, p, `the ${what}`), path: [...path], hint: textHint(p) } : undefined;
  }
}

function isPlainObject(value: object): value is Readonly<Record<string, unknown>> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: object): string {
  const name = (value.constructor as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' && name ? name : 'non-plain object';
}


