/**
 * What the pusher reads on `remote:` lines: one block per denied ref with
 * code, rule id, ref, reason and a hint; or, when the operator sets
 * gatos.output=json, one JSON object per line per denial. Pure.
 */
import type { Denial } from './decide';
import type { OutputFormat } from './config';
import type { Verdict } from './verdict';

function block(d: Denial): string[] {
  const lines = [
    `${d.enforced ? 'DENIED' : 'WOULD DENY (evaluate mode)'} ${d.ref}`,
    `  code:   ${d.code}`,
    `  rule:   ${d.ruleId}`,
    `  reason: ${d.reason}`,
  ];
  if (d.commit) lines.push(`  commit: ${d.commit}`);
  if (d.hint) lines.push(`  hint:   ${d.hint}`);
  return lines;
}

/**
 * What became of the refusal's audit entry, so the last line says what really
 * happened: written, failed (the operator must know), or none because nothing
 * was pushed (`gatos gate check`).
 */
export type AuditOutcome = 'recorded' | 'not-recorded' | 'none';

/**
 * What a refusal wrote: pre-receive refuses the whole push ('push': nothing
 * was written); the update hook refuses its one ref ('ref'), and in a
 * non-atomic push git may already have written the push's other refs, so it
 * never says "Nothing was written".
 */
export type RefusalScope = 'push' | 'ref';

/** The ref name a gate failure that names no update stands under (src/gate/verdict.ts gateFailure). */
const PUSH_REF = '(push)';

const AUDIT_NOTE: Record<AuditOutcome, string | undefined> = {
  recorded: 'This refusal is recorded in refs/gatos/audit/policy.',
  'not-recorded': 'The audit entry for this refusal could NOT be written (see the warning above): tell the operator.',
  none: undefined,
};

function written(v: Verdict, scope: RefusalScope): string {
  if (scope === 'push') return 'Nothing was written.';
  const refs = [...new Set(v.denials.filter((d) => d.enforced && d.ref !== PUSH_REF).map((d) => d.ref))].join(', ');
  return `${refs || 'This update'} was not written. With git push --atomic nothing was written; otherwise other refs of a non-atomic push may have been written: git's report below lists each ref (ok, or [remote rejected]).`;
}

/** Lines for stderr (git prefixes each with `remote: `); nothing when nothing was denied. */
export function refusalLines(v: Verdict, format: OutputFormat, audit: AuditOutcome = 'none', scope: RefusalScope = 'push'): string[] {
  if (v.denials.length === 0) return [];
  if (format === 'json') {
    return v.denials.map((d) => JSON.stringify({ gatos: 'denial', enforced: d.enforced, ref: d.ref, code: d.code, rule: d.ruleId, reason: d.reason, ...(d.commit ? { commit: d.commit } : {}), ...(d.hint ? { hint: d.hint } : {}) }));
  }
  const out: string[] = [];
  const byRef = new Map<string, Denial[]>();
  for (const d of v.denials) byRef.set(d.ref, [...(byRef.get(d.ref) ?? []), d]);
  out.push(v.accepted ? 'gatos gate: push accepted; evaluate-mode rules would have denied:' : 'gatos gate: push refused');
  for (const ds of byRef.values()) {
    out.push('');
    for (const d of ds) out.push(...block(d));
  }
  const note = AUDIT_NOTE[audit];
  if (!v.accepted && note) out.push('', `${written(v, scope)} ${note}`);
  return out;
}
