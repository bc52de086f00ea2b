/**
 * The decision: deny by default; any enforced rule that denies beats every
 * allow; an evaluation failure denies (it is never skipped). Rules are
 * judged independently, and the deciding deny is the one with the smallest
 * id, so the order of rules never changes a decision.
 */
import type { ProductCode } from '../core/codes';
import type { Ir } from './ir';
import { Frame } from './frame';
import type { CompiledPolicy, PreparedRule } from './load';
import type { Fn } from './prepare';
import { ruleReason } from './reason';
import { candidateRules } from './rule-index';
import { DEFAULT_DENY_ID } from './names';
import { EvalFailure, isObject, type Request } from './values';

export interface DryRunDeny {
  readonly ruleId: string;
  readonly reason: string;
  readonly code: ProductCode;
}

interface DecisionCommon {
  /** Rules marked `audit: true` that applied to the request, sorted. */
  readonly audit: readonly string[];
  /** Denials of rules in `mode: evaluate`: recorded, never enforced. */
  readonly evaluate: readonly DryRunDeny[];
}

export type Decision =
  | (DecisionCommon & { readonly effect: 'allow'; readonly ruleIds: readonly string[] })
  | (DecisionCommon & {
      readonly effect: 'deny';
      readonly ruleId: string;
      readonly reason: string;
      readonly code: ProductCode;
      /** Every enforced rule that denied, sorted ('default-deny' when none applied). */
      readonly allDenyIds: readonly string[];
    });

export type Where = 'when' | 'deny_if' | 'allow_if';

/** Why one rule denies: a deny condition held, a requirement failed, or evaluation failed. */
export type DenyCause =
  | { readonly kind: 'deny_if'; readonly index: number }
  | { readonly kind: 'allow_if'; readonly index: number }
  | { readonly kind: 'error'; readonly where: Where; readonly index: number; readonly failure: EvalFailure };

export type RuleOutcome =
  | { readonly kind: 'not-applicable' }
  | { readonly kind: 'allow' }
  | { readonly kind: 'neutral' }
  | { readonly kind: 'deny'; readonly cause: DenyCause };

const NOT_APPLICABLE: RuleOutcome = { kind: 'not-applicable' };
const ALLOW: RuleOutcome = { kind: 'allow' };
const NEUTRAL: RuleOutcome = { kind: 'neutral' };

/**
 * The outcomes of a holding deny_if / failing allow_if, one shared frozen
 * object per index, built once: almost every request is denied, and a fresh
 * outcome per rule per request was a visible share of the garbage. A rule
 * with more conditions than the pool holds gets fresh objects past it.
 */
const POOLED_CONDITIONS = 64;

function outcomePool(kind: 'deny_if' | 'allow_if'): readonly RuleOutcome[] {
  return Array.from({ length: POOLED_CONDITIONS }, (_, index): RuleOutcome => Object.freeze({ kind: 'deny', cause: Object.freeze({ kind, index }) }));
}

const DENY_IF_OUTCOMES = outcomePool('deny_if');
const ALLOW_IF_OUTCOMES = outcomePool('allow_if');

function conditionOutcome(pool: readonly RuleOutcome[], kind: 'deny_if' | 'allow_if', index: number): RuleOutcome {
  return pool[index] ?? { kind: 'deny', cause: { kind, index } };
}

function failure(e: unknown, where: Where, index: number, expr: Ir): RuleOutcome {
  // Anything thrown is a reason to deny: a guard's EvalFailure, or a bug, which must still fail closed.
  const f = e instanceof EvalFailure ? e : new EvalFailure(where, `internal evaluation failure in ${String(expr[0])}: ${e instanceof Error ? e.message : String(e)}`);
  return { kind: 'deny', cause: { kind: 'error', where, index, failure: f } };
}

export function ruleOutcome(p: PreparedRule, r: Frame): RuleOutcome {
  if (p.when) {
    try {
      if (!p.when(r)) return NOT_APPLICABLE;
    } catch (e) {
      return failure(e, 'when', 0, p.rule.when as Ir);
    }
  }
  for (let i = 0; i < p.deny.length; i++) {
    try {
      if ((p.deny[i] as Fn)(r)) return conditionOutcome(DENY_IF_OUTCOMES, 'deny_if', i);
    } catch (e) {
      return failure(e, 'deny_if', i, p.rule.deny[i] as Ir);
    }
  }
  if (p.allow.length === 0) return NEUTRAL;
  for (let i = 0; i < p.allow.length; i++) {
    try {
      if (!(p.allow[i] as Fn)(r)) return conditionOutcome(ALLOW_IF_OUTCOMES, 'allow_if', i);
    } catch (e) {
      return failure(e, 'allow_if', i, p.rule.allow[i] as Ir);
    }
  }
  return ALLOW;
}

const EMPTY: Request = Object.freeze({});

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Rules come sorted by id from the loader, so the sorts below are checks that rarely move anything; a hand-built rule list still gets sorted output. */
function sortIds(ids: string[]): string[] {
  for (let i = 1; i < ids.length; i++) if (!((ids[i - 1] as string) < (ids[i] as string))) return ids.sort(byId);
  return ids;
}

export function evaluate(policy: CompiledPolicy, request: unknown): Decision {
  const r: Request = isObject(request) ? request : EMPTY;
  const frame = new Frame(r);
  const allowIds: string[] = [];
  const denyIds: string[] = [];
  let first: PreparedRule | undefined;
  let firstCause: DenyCause | undefined;
  const audit: string[] = [];
  const dryRun: DryRunDeny[] = [];
  // Rules whose when opens with a test for another intent or actor kind cannot apply (rule-index.ts).
  const rules = candidateRules(policy.rules, frame);
  for (let i = 0; i < rules.length; i++) {
    const p = rules[i] as PreparedRule;
    const out = ruleOutcome(p, frame);
    if (out.kind === 'not-applicable') continue;
    const rule = p.rule;
    if (rule.audit) audit.push(rule.id);
    if (rule.mode === 'evaluate') {
      if (out.kind === 'deny') dryRun.push({ ruleId: rule.id, ...ruleReason(p, out.cause, frame) });
      continue;
    }
    if (out.kind === 'allow') allowIds.push(rule.id);
    else if (out.kind === 'deny') {
      denyIds.push(rule.id);
      // The deciding deny is the one with the smallest id, wherever it stands in the list.
      if (first === undefined || rule.id < first.rule.id) {
        first = p;
        firstCause = out.cause;
      }
    }
  }
  sortIds(audit);
  if (dryRun.length > 1) dryRun.sort((a, b) => byId(a.ruleId, b.ruleId));
  if (first !== undefined) {
    const { reason, code } = ruleReason(first, firstCause as DenyCause, frame);
    return { effect: 'deny', ruleId: first.rule.id, reason, code, allDenyIds: sortIds(denyIds), audit, evaluate: dryRun };
  }
  if (allowIds.length > 0) return { effect: 'allow', ruleIds: sortIds(allowIds), audit, evaluate: dryRun };
  return { effect: 'deny', ruleId: DEFAULT_DENY_ID, reason: defaultReason(r), code: 'POLICY_DENY', allDenyIds: [DEFAULT_DENY_ID], audit, evaluate: dryRun };
}

function defaultReason(r: Request): string {
  const parts: string[] = [];
  if (typeof r.intent === 'string') parts.push(`intent '${r.intent}'`);
  if (typeof r.ref === 'string') parts.push(`ref '${r.ref}'`);
  if (isObject(r.actor) && typeof r.actor.id === 'string') parts.push(`actor ${r.actor.id}`);
  return parts.length ? `no rule allows this request (${parts.join(', ')})` : 'no rule allows this request';
}
