/**
 * The audit entry of a push that met a denial (enforced, or recorded in
 * evaluate mode). Self-contained: it names pushed objects by their ids as
 * text and never points at them, so it survives the refused push whose
 * objects git deletes. Canonical JSON, so one push gives one byte form. Pure.
 */
import type { JsonValue } from '../canon/jcs';
import { formatTime } from '../trust';
import type { RefUpdate } from './ref-update';
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
  readonly pushCert?: { readonly signer: string; readonly key: string; readonly status: string; readonly nonceStatus?: string; readonly actor?: string; readonly verified?: boolean };
  /** Every update of the push (a gate failure may have no decisions). */
  readonly updates: readonly RefUpdate[];
}

const orNull = (v: string | undefined): JsonValue => (v === undefined ? null : v);

export function auditEntry(v: Verdict, ctx: AuditContext): JsonValue {
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
    push_cert: ctx.pushCert ? { signer: ctx.pushCert.signer, key: ctx.pushCert.key, status: ctx.pushCert.status, nonce_status: orNull(ctx.pushCert.nonceStatus), actor: ctx.pushCert.actor ? ctx.pushCert.actor : null, verified: ctx.pushCert.verified ?? false } : null,
    gate_error: v.gateError ? { code: v.gateError.code, reason: v.gateError.reason } : null,
    denials: v.denials.map((d) => ({ ref: d.ref, code: d.code, rule: d.ruleId, reason: d.reason, enforced: d.enforced, commit: orNull(d.commit) })),
    updates: ctx.updates.map((u) => {
      const d = commitsOf.get(u.ref);
      return { ref: u.ref, old: u.oldId, new: u.newId, intent: orNull(d?.intent), commits: [...(d?.commits ?? [])] };
    }),
  };
}

/** The audit commit's message: a summary line a `git log --oneline` reader can scan. */
export function auditMessage(v: Verdict, ctx: AuditContext): string {
  const first = v.denials[0];
  const head = v.gateError ? `gate error ${v.gateError.code}` : `${v.accepted ? 'would deny' : 'deny'} ${first?.ref ?? ''} ${first?.code ?? ''} ${first?.ruleId ?? ''}`.trim();
  const more = v.denials.length > 1 ? ` (+${v.denials.length - 1} more)` : '';
  return `${head}${more}\n\nactor: ${ctx.actor ?? '(unknown)'}\nhook: ${ctx.hook}\ntime: ${formatTime(ctx.now)}\n`;
}

/** Whether a verdict needs an audit entry: any denial at all, enforced or dry-run. */
export function needsAudit(v: Verdict): boolean {
  return v.denials.length > 0;
}
