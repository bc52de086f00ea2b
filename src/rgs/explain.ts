/**
 * `explain`: the decision plus, for every rule, whether it applied, what
 * each condition and its boolean parts evaluated to, and the rule's outcome.
 * The decision comes from evaluate itself and every value from the same
 * closures, so an explanation can never disagree with a decision.
 */
import { Frame } from './frame';
import { evaluate, ruleOutcome, type Decision, type RuleOutcome } from './decide';
import type { Ir } from './ir';
import type { CompiledPolicy, PreparedRule } from './load';
import { prepare } from './prepare';
import { printIr } from './print';
import { ruleReason } from './reason';
import { EvalFailure, isObject, renderValue, type Request } from './values';

export interface ExprTrace {
  readonly expr: string;
  /** The value, rendered ('true', '3', "'main'"), or absent when evaluation failed. */
  readonly value?: string;
  readonly error?: string;
  /** The operands of and / or / not, so a reader sees which part decided. */
  readonly parts?: readonly ExprTrace[];
}

export interface RuleTrace {
  readonly id: string;
  readonly mode: 'enforce' | 'evaluate';
  readonly outcome: RuleOutcome['kind'];
  readonly when?: ExprTrace;
  readonly deny: readonly ExprTrace[];
  readonly allow: readonly ExprTrace[];
  readonly reason?: string;
  readonly code?: string;
}

export interface Explanation {
  readonly policyRoot: string;
  readonly decision: Decision;
  readonly rules: readonly RuleTrace[];
}

export function explain(policy: CompiledPolicy, request: unknown): Explanation {
  const r: Request = isObject(request) ? request : {};
  return { policyRoot: policy.root, decision: evaluate(policy, request), rules: policy.rules.map((p) => traceRule(p, new Frame(r))) };
}

function traceRule(p: PreparedRule, r: Frame): RuleTrace {
  const out = ruleOutcome(p, r);
  const rule = p.rule;
  const base = {
    id: rule.id,
    mode: rule.mode,
    outcome: out.kind,
    ...(rule.when ? { when: trace(rule.when, r) } : {}),
    deny: rule.deny.map((e) => trace(e, r)),
    allow: rule.allow.map((e) => trace(e, r)),
  };
  if (out.kind !== 'deny') return base;
  return { ...base, ...ruleReason(p, out.cause, r) };
}

function trace(e: Ir, r: Frame): ExprTrace {
  const expr = printIr(e);
  let result: ExprTrace;
  try {
    result = { expr, value: renderValue(prepare(e).fn(r)) };
  } catch (x) {
    result = { expr, error: x instanceof EvalFailure ? x.message : `internal evaluation failure: ${String(x)}` };
  }
  if (e[0] === 'and' || e[0] === 'or' || e[0] === 'not') {
    return { ...result, parts: (e.slice(1) as Ir[]).map((x) => trace(x, r)) };
  }
  return result;
}
