/**
 * A push's verdict from the decisions of its ref updates. git refuses the
 * whole push when pre-receive fails, so one enforced denial refuses every
 * ref; each denied ref still gets its own block. Pure.
 */
import type { ErrorCode } from '../core/codes';
import type { Denial, RefDecision } from './decide';
import { RULES } from './rules';

export interface Verdict {
  readonly accepted: boolean;
  readonly decisions: readonly RefDecision[];
  /** Every denial, enforced or recorded only (evaluate mode), in ref order. */
  readonly denials: readonly Denial[];
  /** Set when the gate could not decide at all. */
  readonly gateError?: { readonly code: ErrorCode; readonly reason: string };
}

/** Hook exit statuses (docs/gate.md). git only distinguishes zero from non-zero. */
export const HOOK_EXIT = { ACCEPT: 0, DENY: 1, GATE_ERROR: 2 } as const;

export function verdictOf(decisions: readonly RefDecision[]): Verdict {
  const denials = decisions.flatMap((d) => d.denials);
  return { accepted: decisions.every((d) => d.allowed), decisions, denials };
}

/** The push refused because the gate itself failed (fail closed). */
export function gateFailure(code: ErrorCode, reason: string, refs: readonly { ref: string; oldId: string; newId: string }[]): Verdict {
  const denials: Denial[] = (refs.length > 0 ? refs : [{ ref: '(push)', oldId: '', newId: '' }]).map((r) => ({ ref: r.ref, code, ruleId: RULES.gateError.id, reason, hint: RULES.gateError.hint, enforced: true }));
  return { accepted: false, decisions: [], denials, gateError: { code, reason } };
}

export function exitCodeOf(v: Verdict): number {
  if (v.accepted) return HOOK_EXIT.ACCEPT;
  return v.gateError ? HOOK_EXIT.GATE_ERROR : HOOK_EXIT.DENY;
}
