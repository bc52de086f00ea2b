/**
 * A push's verdict from the decisions of its ref updates. git refuses the
 * whole push when pre-receive fails, so one enforced denial refuses every
 * ref; each denied ref still gets its own block. Pure.
 */
import type { ErrorCode } from '../core/codes';
import type { Denial, RefDecision } from './decide';
import { GOV_RULE } from './gov';
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

/** Codes that say the gate itself failed (git failed while it read, it crashed, ran out of time): exit GATE_ERROR. */
export const GATE_FAILURE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['GATE_ERROR', 'GIT_ERROR']);

/**
 * The gate's rules whose denials are a failure to read or verify what was
 * pushed (or to keep the audit trail the gate's own): the pushed objects, the
 * events (signature, trust, grants, ULID order, time), checkpoints, bundles,
 * the linear shape, names and tip types of refs, epoch chains, the bus's
 * invariants (a misplaced or duplicated message, a broken shard map or ack,
 * an early flip, a summary that lies would stay accepted; backpressure alone
 * is a limit), governance statements (a forged, unsigned or unmet statement,
 * or one moved after its creation, would stay on the server), and the update
 * hook's own name for an unverifiable checkpoint (update-hook-journal-first).
 * Evaluate mode never relaxes them.
 */
const BUS_VERIFICATION_RULES = [RULES.busConfig.id, RULES.busMessage.id, RULES.busPlacement.id, RULES.busExactlyOnce.id, RULES.busAck.id, RULES.busFlip.id, RULES.busSegment.id, RULES.busPrune.id] as const;
const VERIFICATION_RULES: ReadonlySet<string> = new Set([RULES.facts.id, RULES.event.id, RULES.proof.id, RULES.bundle.id, RULES.linear.id, RULES.eventTime.id, RULES.refName.id, RULES.auditReadonly.id, RULES.objectType.id, RULES.gateError.id, RULES.epoch.id, ...BUS_VERIFICATION_RULES, RULES.proofEnvelope.id, RULES.session.id, RULES.sessionOwner.id, GOV_RULE.id, RULES.refOnce.id, RULES.updateHookJournalFirst.id]);

/**
 * Whether a denial refuses the push in `mode`: evaluate mode relaxes policy
 * outcomes (the policy's rules, operator limits such as gatos.ffOnly and
 * gatos.maxObjectBytes), never a gate failure or a failed verification.
 */
export function enforcedIn(mode: 'enforce' | 'evaluate', d: { readonly code: ErrorCode; readonly ruleId: string; readonly ref: string }): boolean {
  // Rewriting a GATOS ref loses accepted events or state: only the operator's own gatos.ffOnly refs are relaxed.
  const rewritesGatos = d.ruleId === RULES.ffOnly.id && d.ref.startsWith('refs/gatos/');
  return mode === 'enforce' || GATE_FAILURE_CODES.has(d.code) || VERIFICATION_RULES.has(d.ruleId) || rewritesGatos;
}

export function verdictOf(decisions: readonly RefDecision[]): Verdict {
  const denials = decisions.flatMap((d) => d.denials);
  return { accepted: decisions.every((d) => d.allowed), decisions, denials };
}

/** The push refused because the gate itself failed (fail closed); `hint` when the failure says what to change (the time budget). */
export function gateFailure(code: ErrorCode, reason: string, refs: readonly { ref: string; oldId: string; newId: string }[], hint: string = RULES.gateError.hint): Verdict {
  const denials: Denial[] = (refs.length > 0 ? refs : [{ ref: '(push)', oldId: '', newId: '' }]).map((r) => ({ ref: r.ref, code, ruleId: RULES.gateError.id, reason, hint, enforced: true }));
  return { accepted: false, decisions: [], denials, gateError: { code, reason } };
}

/** 0 accepted; 2 when the gate failed (gate error, or an enforced denial that is a gate failure, e.g. git failing while it read); else 1. */
export function exitCodeOf(v: Verdict): number {
  if (v.accepted) return HOOK_EXIT.ACCEPT;
  const failed = v.gateError !== undefined || v.denials.some((d) => d.enforced && GATE_FAILURE_CODES.has(d.code));
  return failed ? HOOK_EXIT.GATE_ERROR : HOOK_EXIT.DENY;
}
