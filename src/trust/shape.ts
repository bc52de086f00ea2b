/**
 * Reading trust files: strict JSON that must already be in canonical form,
 * and small typed field readers whose errors name the file and the field.
 * Pure.
 */
import { canonicalJson, parseJsonStrict, type JsonValue } from '../canon/jcs';
import { bytesEqual, decodeUtf8 } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';
import { parseActor } from '../actors';
import { parseTime } from './time';
import type { JsonObject } from './statement';

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses `bytes` as JSON and insists they are the canonical bytes of what they hold. */
export function readCanonicalJson(bytes: Uint8Array, file: string): Result<JsonObject> {
  const text = decodeUtf8(bytes);
  if (text === undefined) return err(gateError('ENCODING_INVALID', `${file}: not valid UTF-8`, { hint: 'trust files are canonical JSON written by gatos' }));
  const parsed = parseJsonStrict(text, file);
  if (!parsed.ok) return err({ ...parsed.error, code: 'ENCODING_INVALID' });
  if (!isObject(parsed.value)) return err(gateError('ENCODING_INVALID', `${file}: expected a JSON object`));
  const canon = canonicalJson(parsed.value);
  if (!canon.ok) return canon;
  if (!bytesEqual(canon.value, bytes)) {
    return err(gateError('ENCODING_INVALID', `${file}: not in canonical JSON form (RFC 8785: sorted keys, no whitespace, no final newline)`, { hint: 'write trust files with gatos trust, never by hand' }));
  }
  return ok(parsed.value);
}

/** Field readers for one object; every error names the file and field. */
export class Fields {
  constructor(
    private readonly o: JsonObject,
    private readonly where: string,
  ) {}

  bad(field: string, expected: string): Result<never> {
    return err(gateError('ENCODING_INVALID', `${this.where}: '${field}' must be ${expected}`, { hint: 'trust files are written by gatos trust; do not edit them by hand' }));
  }

  only(keys: readonly string[]): Result<true> {
    const extra = Object.keys(this.o).filter((k) => !keys.includes(k));
    return extra.length ? err(gateError('ENCODING_INVALID', `${this.where}: unexpected field(s) ${extra.join(', ')}`, { hint: `allowed: ${keys.join(', ')}` })) : ok(true);
  }

  literal(field: string, want: string | number): Result<true> {
    return this.o[field] === want ? ok(true) : this.bad(field, JSON.stringify(want));
  }

  string(field: string, re?: RegExp): Result<string> {
    const v = this.o[field];
    return typeof v === 'string' && (!re || re.test(v)) ? ok(v) : this.bad(field, re ? `a string matching ${re}` : 'a string');
  }

  nullableString(field: string, re: RegExp): Result<string | null> {
    const v = this.o[field];
    if (v === null) return ok(null);
    return typeof v === 'string' && re.test(v) ? ok(v) : this.bad(field, `null or a string matching ${re}`);
  }

  int(field: string, min: number, max: number): Result<number> {
    const v = this.o[field];
    return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? ok(v) : this.bad(field, `an integer from ${min} to ${max}`);
  }

  time(field: string): Result<number> {
    const v = this.o[field];
    if (typeof v !== 'string') return this.bad(field, 'an RFC 3339 UTC time');
    const t = parseTime(v, `${this.where}: '${field}'`);
    return t.ok ? t : err({ ...t.error, code: 'ENCODING_INVALID' });
  }

  actor(field: string): Result<string> {
    const v = this.o[field];
    if (typeof v !== 'string') return this.bad(field, "an actor such as 'user:alice'");
    const a = parseActor(v);
    return a.ok ? ok(a.value.id) : err({ ...a.error, code: 'ENCODING_INVALID', message: `${this.where}: '${field}': ${a.error.message}` });
  }

  /** A sorted list of unique strings, each matching `re`. */
  sortedSet(field: string, re: RegExp): Result<string[]> {
    const v = this.o[field];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && re.test(x))) return this.bad(field, `a list of strings matching ${re}`);
    const list = v as string[];
    for (let i = 1; i < list.length; i++) if ((list[i - 1] as string) >= (list[i] as string)) return this.bad(field, 'sorted and free of repeats');
    return ok(list);
  }

  object(field: string): Result<JsonObject> {
    const v = this.o[field];
    return isObject(v) ? ok(v) : this.bad(field, 'an object');
  }

  list(field: string): Result<readonly JsonValue[]> {
    const v = this.o[field];
    return Array.isArray(v) ? ok(v as readonly JsonValue[]) : this.bad(field, 'a list');
  }
}
