/**
 * Reading one audit entry back (the inverse of auditEntry, for `gatos audit
 * log` and anything else that reads the trail): the bytes of entry.json,
 * checked field by field against the shape auditEntry writes, so a damaged
 * or foreign entry is reported with what is wrong instead of being printed
 * as if it were the gate's. Pure.
 */
import { parseJsonStrict } from '../canon/json-strict';
import type { JsonValue } from '../canon/jcs';
import { decodeUtf8 } from '../core/bytes';
import { err, gateError, ok, type Result } from '../core/result';
import { AUDIT_ENTRY_FILE, AUDIT_ENTRY_TYPE, textOf } from './audit-entry';

/** One denial of an entry; text fields are the strings bytesSafe stood for. */
export interface AuditDenialView {
  readonly ref: string;
  readonly code: string;
  readonly rule: string;
  readonly reason: string;
  readonly enforced: boolean;
  readonly commit: string | null;
}

/** The fields a reader of the trail shows, decoded; `json` is the entry exactly as stored. */
export interface AuditEntryView {
  readonly json: JsonValue;
  readonly time: string;
  readonly outcome: 'accepted' | 'refused';
  readonly mode: 'enforce' | 'evaluate';
  readonly hook: string;
  readonly actor: string | null;
  readonly hostUser: string | null;
  readonly gateError: { readonly code: string; readonly reason: string } | null;
  readonly denials: readonly AuditDenialView[];
}

type Obj = { readonly [k: string]: JsonValue };

const isObj = (v: JsonValue | undefined): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

class Shape {
  readonly problems: string[] = [];
  constructor(private readonly o: Obj, private readonly at: string) {}
  /** A plain string field. */
  str(key: string): string {
    const v = this.o[key];
    if (typeof v === 'string') return v;
    this.problems.push(`${this.at}${key} must be a string`);
    return '';
  }
  /** A field written with bytesSafe: a string or {"bytes_b64": …}. */
  text(key: string): string {
    const s = textOf(this.o[key]);
    if (s !== undefined) return s;
    this.problems.push(`${this.at}${key} must be text (a string or {"bytes_b64": …})`);
    return '';
  }
  textOrNull(key: string): string | null {
    return this.o[key] === null ? null : this.text(key);
  }
  strOrNull(key: string): string | null {
    return this.o[key] === null ? null : this.str(key);
  }
  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const v = this.o[key];
    if (typeof v === 'string' && (allowed as readonly string[]).includes(v)) return v as T;
    this.problems.push(`${this.at}${key} must be one of ${allowed.join(', ')}`);
    return allowed[0] as T;
  }
  bool(key: string): boolean {
    const v = this.o[key];
    if (typeof v === 'boolean') return v;
    this.problems.push(`${this.at}${key} must be true or false`);
    return false;
  }
}

/**
 * The entry in `bytes` (one audit commit's entry.json), or what is wrong with
 * it: not UTF-8, not JSON, not a gatos/audit-entry of version 1, or a field
 * of the wrong type. `where` names the entry in messages (e.g. its commit).
 */
export function parseAuditEntry(bytes: Uint8Array, where: string): Result<AuditEntryView> {
  const bad = (what: string) =>
    err(gateError('PROOF_INVALID', `${where}: ${AUDIT_ENTRY_FILE} ${what}`, { hint: 'the audit ref is written by the gate only; inspect it with git log' }));
  const text = decodeUtf8(bytes);
  if (text === undefined) return bad('is not UTF-8');
  const parsed = parseJsonStrict(text, AUDIT_ENTRY_FILE);
  if (!parsed.ok) return bad(`is not JSON: ${parsed.error.message}`);
  const o = parsed.value;
  if (!isObj(o)) return bad('is not a JSON object');
  if (o.type !== AUDIT_ENTRY_TYPE || o.v !== 1) return bad(`is not a ${AUDIT_ENTRY_TYPE} of version 1`);
  const s = new Shape(o, '');
  const ge = o.gate_error;
  let gateErr: AuditEntryView['gateError'] = null;
  if (isObj(ge)) {
    const g = new Shape(ge, 'gate_error.');
    gateErr = { code: g.str('code'), reason: g.text('reason') };
    s.problems.push(...g.problems);
  } else if (ge !== null) s.problems.push('gate_error must be an object or null');
  const denials: AuditDenialView[] = [];
  if (Array.isArray(o.denials)) {
    o.denials.forEach((d, i) => {
      if (!isObj(d)) {
        s.problems.push(`denials[${i}] must be an object`);
        return;
      }
      const x = new Shape(d, `denials[${i}].`);
      denials.push({ ref: x.text('ref'), code: x.str('code'), rule: x.str('rule'), reason: x.text('reason'), enforced: x.bool('enforced'), commit: x.strOrNull('commit') });
      s.problems.push(...x.problems);
    });
  } else s.problems.push('denials must be a list');
  const view: AuditEntryView = {
    json: o,
    time: s.str('time'),
    outcome: s.oneOf('outcome', ['accepted', 'refused'] as const),
    mode: s.oneOf('mode', ['enforce', 'evaluate'] as const),
    hook: s.str('hook'),
    actor: s.textOrNull('actor'),
    hostUser: s.textOrNull('host_user'),
    gateError: gateErr,
    denials,
  };
  return s.problems.length === 0 ? ok(view) : bad(`has the wrong shape: ${s.problems.join('; ')}`);
}
