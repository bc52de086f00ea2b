/**
 * The audit entry of a push that met a denial (enforced, or recorded in
 * evaluate mode), or that rules marked `audit: true` decided (accepted too). Self-contained: it names pushed objects by their ids as
 * text and never points at them, so it survives the refused push whose
 * objects git deletes. Canonical JSON, so one push gives one byte form. Pure.
 */
import type { JsonValue } from '../canon/jcs';
import { displayText, isCanonicalText, textBytes, textOfBytes } from '../core/byte-text';
import { formatTime } from '../trust';
import type { RefUpdate } from './ref-update';
import { refResource } from './resource';
import type { Verdict } from './verdict';

export const AUDIT_ENTRY_TYPE = 'gatos/audit-entry';
export const AUDIT_ENTRY_FILE = 'entry.json';
/** Every audit commit carries this identity; its date is the decision's `now`. */
export const AUDIT_IDENTITY = { name: 'gatos-gate', email: 'gate@gatos.invalid' } as const;

export type HookName = 'pre-receive' | 'update' | 'check';

export interface AuditContext {
  readonly hook: HookName;
  readonly now: number;
  readonly mode: 'enforce' | 'evaluate';
  readonly actor?: string;
  readonly hostUser?: string;
  readonly actorSource?: string;
  readonly transport: string;
  readonly clientIp?: string;
  /** The active bundle commit and its policy code root, when they could be read. */
  readonly policyRoot?: string;
  readonly policyCodeRoot?: string;
  /** The active bundle's fold_root (src/bundle/fold-root.ts): recorded wherever policy_root is (the seed's "Bind fold version"). */
  readonly foldRoot?: string;
  /** <repo> of the resource URIs (src/gate/resource.ts); absent: updates carry no resource. */
  readonly repoName?: string;
  readonly pushCert?: { readonly signer: string; readonly key: string; readonly status: string; readonly nonceStatus?: string; readonly actor?: string; readonly verified?: boolean };
  /** Every update of the push (a gate failure may have no decisions). */
  readonly updates: readonly RefUpdate[];
}

const orNull = (v: string | undefined): JsonValue => (v === undefined ? null : v);

/** The key of the object that stands for a string which is not canonical text (see bytesSafe). */
export const AUDIT_BYTES_KEY = 'bytes_b64';

/**
 * Any string as a JSON value canonical JSON always takes: itself when it is
 * canonical text (well-formed, NFC), else {"bytes_b64": <its bytes>} (the
 * bytes git or the host gave, see src/core/byte-text.ts). Lossless: textOf
 * gives the string back. Ref names, host user names and reasons are bytes,
 * and an entry that could not encode them would be an audit one can dodge.
 */
export function bytesSafe(s: string): JsonValue {
  return isCanonicalText(s) ? s : { [AUDIT_BYTES_KEY]: Buffer.from(textBytes(s)).toString('base64') };
}

/** The string an audit entry's value stands for (bytesSafe's inverse); undefined for anything else. */
export function textOf(v: JsonValue | undefined): string | undefined {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const keys = Object.keys(v);
  const b = (v as Record<string, JsonValue>)[AUDIT_BYTES_KEY];
  if (keys.length !== 1 || typeof b !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(b)) return undefined;
  return textOfBytes(Buffer.from(b, 'base64'));
}

/** Every string of `v` made bytesSafe (the entry's keys are the gate's own ASCII). */
function safeStrings(v: JsonValue): JsonValue {
  if (typeof v === 'string') return bytesSafe(v);
  if (Array.isArray(v)) return v.map(safeStrings);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, safeStrings(x as JsonValue)]));
  return v;
}

export function auditEntry(v: Verdict, ctx: AuditContext): JsonValue {
  return safeStrings(rawEntry(v, ctx));
}

function rawEntry(v: Verdict, ctx: AuditContext): JsonValue {
  const commitsOf = new Map(v.decisions.map((d) => [d.ref, d] as const));
  return {
    type: AUDIT_ENTRY_TYPE,
    v: 1,
    hook: ctx.hook,
    time: formatTime(ctx.now),
    now: ctx.now,
    mode: ctx.mode,
    outcome: v.accepted ? 'accepted' : 'refused',
    actor: orNull(ctx.actor),
    host_user: orNull(ctx.hostUser),
    actor_source: orNull(ctx.actorSource),
    transport: ctx.transport,
    client_ip: orNull(ctx.clientIp),
    policy_root: orNull(ctx.policyRoot),
    policy_code_root: orNull(ctx.policyCodeRoot),
    fold_root: orNull(ctx.foldRoot),
    push_cert: ctx.pushCert ? { signer: ctx.pushCert.signer, key: ctx.pushCert.key, status: ctx.pushCert.status, nonce_status: orNull(ctx.pushCert.nonceStatus), actor: ctx.pushCert.actor ? ctx.pushCert.actor : null, verified: ctx.pushCert.verified ?? false } : null,
    gate_error: v.gateError ? { code: v.gateError.code, reason: v.gateError.reason } : null,
    denials: v.denials.map((d) => ({ ref: d.ref, code: d.code, rule: d.ruleId, reason: d.reason, enforced: d.enforced, commit: orNull(d.commit) })),
    updates: ctx.updates.map((u) => {
      const d = commitsOf.get(u.ref);
      return { ref: u.ref, old: u.oldId, new: u.newId, intent: orNull(d?.intent), commits: [...(d?.commits ?? [])], resource: ctx.repoName === undefined ? null : refResource(ctx.repoName, u.ref), audited: [...(d?.audited ?? [])] };
    }),
  };
}

/** The audit commit's message: a summary line a `git log --oneline` reader can scan. */
export function auditMessage(v: Verdict, ctx: AuditContext): string {
  const first = v.denials[0];
  const audited = v.decisions.filter((d) => (d.audited ?? []).length > 0);
  if (!first && !v.gateError && audited[0]) {
    // An accepted push that rules marked `audit: true` decided (decision 0029).
    const a = audited[0];
    const more = audited.length > 1 ? ` (+${audited.length - 1} more)` : '';
    return `audit ${displayText(a.ref)} ${a.intent} ${(a.audited ?? []).join(',')}${more}\n\nactor: ${ctx.actor !== undefined ? displayText(ctx.actor) : '(unknown)'}\nhook: ${ctx.hook}\ntime: ${formatTime(ctx.now)}\n`;
  }
  // Names are shown with displayText: a ref or actor name cannot add lines or bytes git would mangle.
  const head = v.gateError ? `gate error ${v.gateError.code}` : `${v.accepted ? 'would deny' : 'deny'} ${displayText(first?.ref ?? '')} ${first?.code ?? ''} ${first?.ruleId ?? ''}`.trim();
  const more = v.denials.length > 1 ? ` (+${v.denials.length - 1} more)` : '';
  return `${head}${more}\n\nactor: ${ctx.actor !== undefined ? displayText(ctx.actor) : '(unknown)'}\nhook: ${ctx.hook}\ntime: ${formatTime(ctx.now)}\n`;
}

/** Whether a verdict needs an audit entry: any denial at all, enforced or dry-run, or an update a rule marked `audit: true` decided, allowed or not. */
export function needsAudit(v: Verdict): boolean {
  return v.denials.length > 0 || v.decisions.some((d) => (d.audited ?? []).length > 0);
}
