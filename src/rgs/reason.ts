/**
 * Deterministic reason text for a denying rule, built from the compiled
 * condition (printed canonically) and the request's values. Only computed
 * for the deciding rule and dry-run rules, so it stays off the fast path.
 */
import type { ProductCode } from '../core/codes';
import { builtin } from './builtins';
import type { DenyCause } from './decide';
import { attrPath, type Ir } from './ir';
import type { PreparedRule } from './load';
import type { Frame } from './frame';
import { capHeld, prepare, quorumCount, type Fn } from './prepare';
import { printIr, quote } from './print';
import { hasOwn, isObject, renderValue, type Request } from './values';

/**
 * Per-node caches: a reason is built for every denial, and re-preparing or
 * re-printing the same compiled node each time would dominate a deny-heavy
 * workload. Keyed by the node object, so they live as long as the policy.
 */
// eslint-disable-next-line no-restricted-syntax -- module state allowed: a memo of printing an immutable compiled node, living as long as the node
const textCache = new WeakMap<object, string>();
// eslint-disable-next-line no-restricted-syntax -- module state allowed: a memo of preparing an immutable compiled node, living as long as the node
const fnCache = new WeakMap<object, Fn>();
/** A condition's reason text, prepared once per rule and condition: its heading and, per attribute it reads, the label and the reader. */
export interface ReasonPlan {
  readonly head: string;
  readonly subjects: readonly { readonly shown: string; readonly missing: string; readonly read: Fn }[];
  /** For a requirement that is a has_cap call: the reader of its capability argument, and the quoted text when it is a literal. */
  readonly cap?: { readonly read: Fn; readonly literal?: { readonly value: string; readonly quoted: string } };
}

/** The plan of a rule's deny_if or allow_if condition, kept on the prepared rule (no lookup by node on the hot path). */
function planOf(p: PreparedRule, kind: 'deny_if' | 'allow_if', index: number): ReasonPlan {
  const at = kind === 'deny_if' ? index : p.deny.length + index;
  let plan = p.reasonPlans[at];
  if (plan === undefined) {
    const expr = (kind === 'deny_if' ? p.rule.deny : p.rule.allow)[index] as Ir;
    const found = new Map<string, Ir>();
    collect(expr, found);
    const sorted = [...found.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const arg = expr[0] === 'call' && expr[1] === 'has_cap' ? (expr[2] as Ir) : undefined;
    const literal = arg && arg[0] === 'lit' && typeof arg[1] === 'string' ? { value: arg[1], quoted: quote(arg[1]) } : undefined;
    plan = {
      head: `${kind === 'deny_if' ? 'deny_if holds' : 'requirement not met'}: ${textOf(expr)}`,
      subjects: sorted.map(([t, ir]) => ({ shown: `${t} = `, missing: `${t} is missing`, read: fnOf(ir) })),
      ...(arg ? { cap: { read: fnOf(arg), ...(literal ? { literal } : {}) } } : {}),
    };
    p.reasonPlans[at] = plan;
  }
  return plan;
}

export function textOf(e: Ir): string {
  let t = textCache.get(e);
  if (t === undefined) {
    t = printIr(e);
    textCache.set(e, t);
  }
  return t;
}

export function fnOf(e: Ir): Fn {
  let f = fnCache.get(e);
  if (f === undefined) {
    f = prepare(e).fn;
    fnCache.set(e, f);
  }
  return f;
}

export function ruleReason(p: PreparedRule, cause: DenyCause, f: Frame): { reason: string; code: ProductCode } {
  const rule = p.rule;
  const code = (rule.code ?? 'POLICY_DENY') as ProductCode;
  if (cause.kind === 'error') {
    const expr = cause.where === 'when' ? rule.when : (cause.where === 'deny_if' ? rule.deny : rule.allow)[cause.index];
    return { reason: `cannot evaluate ${cause.where} ${expr ? textOf(expr) : ''}: ${cause.failure.message}`, code: 'POLICY_DENY' };
  }
  const plan = planOf(p, cause.kind, cause.index);
  if (cause.kind === 'allow_if' && plan.cap) {
    const cap = capFailure(plan.cap, f);
    if (cap) return { reason: rule.reason ?? cap.reason, code: rule.code === null && cap.expired ? 'CAP_EXPIRED' : code };
  }
  const expr = (cause.kind === 'deny_if' ? rule.deny : rule.allow)[cause.index] as Ir;
  const q = cause.kind === 'allow_if' ? quorumFailure(expr, f) : undefined;
  if (q) return { reason: rule.reason === null ? q : `${rule.reason}: ${q}`, code };
  if (rule.reason !== null) return { reason: rule.reason, code };
  return { reason: plan.head + whereClause(plan, f), code };
}

function actorName(r: Request): string {
  return isObject(r.actor) && typeof r.actor.id === 'string' ? r.actor.id : '(unknown actor)';
}

/** A failed has_cap (alone or negated nowhere): "actor user:bob lacks capability 'x'". */
function capFailure(plan: NonNullable<ReasonPlan['cap']>, f: Frame): { reason: string; expired: boolean } | undefined {
  const r = f.request;
  let cap: unknown;
  try {
    cap = plan.read(f);
  } catch {
    return undefined;
  }
  if (typeof cap !== 'string' || !isObject(r.caps)) return undefined;
  const caps = r.caps as Record<string, unknown>;
  const who = actorName(r);
  const quoted = plan.literal?.value === cap ? plan.literal.quoted : quote(cap);
  if (!hasOwn(caps, cap)) return { reason: `actor ${who} lacks capability ${quoted}`, expired: false };
  const expiry = caps[cap];
  const now = r.now;
  if (typeof expiry === 'number' && typeof now === 'number' && !capHeld(caps, cap, () => now)) {
    return { reason: `capability ${quoted} of actor ${who} expired at ${expiry} (now ${now})`, expired: true };
  }
  return undefined;
}

/** A failed quorum(...) requirement, with who approved and whose approvals are missing. */
function quorumFailure(expr: Ir, f: Frame): string | undefined {
  if (expr[0] !== 'call' || expr[1] !== 'quorum') return undefined;
  const g = expr[2] as Ir;
  const r = f.request;
  let need: unknown;
  try {
    need = fnOf(expr[3] as Ir)(f);
  } catch {
    return undefined;
  }
  if (g[0] !== 'lit' || typeof g[1] !== 'string' || typeof need !== 'number') return undefined;
  const approvers = Array.isArray(r.approvers) ? (r.approvers as string[]) : [];
  const groups = isObject(r.groups) ? (r.groups as Record<string, unknown>) : {};
  const q = quorumCount(approvers, groups, g[1].slice(1));
  const list = (xs: readonly string[]): string => (xs.length === 0 ? 'none' : xs.join(', '));
  const more = need - q.count;
  const missing = more > 0 ? `missing ${more} more approval${more === 1 ? '' : 's'} from ${list(q.missing)}` : 'missing none';
  return `quorum of ${g[1]} not met: ${q.count} of ${need} approvals (approved by ${list(q.counted)}); ${missing}`;
}

/** " (where a = 1, b = 'x')": the values of the attributes the condition reads. */
function whereClause(plan: ReasonPlan, f: Frame): string {
  const subjects = plan.subjects;
  if (subjects.length === 0) return '';
  let out = ' (where ';
  for (let i = 0; i < subjects.length; i++) {
    const s = subjects[i] as ReasonPlan['subjects'][number];
    if (i > 0) out += ', ';
    let part: string;
    try {
      part = s.shown + renderValue(s.read(f));
    } catch {
      part = s.missing;
    }
    out += part;
  }
  return `${out})`;
}

function collect(e: Ir, out: Map<string, Ir>): void {
  if (e[0] === 'lit' || e[0] === 'set') return;
  if (e[0] === 'attr' || (e[0] === 'get' && attrPath(e) !== undefined) || e[0] === 'idx') {
    if (e[0] !== 'attr' || e[1] !== 'caps') out.set(printIr(e), e);
    if (e[0] === 'idx') collect(e[2], out);
    return;
  }
  if (e[0] === 'call') {
    for (const path of builtin(e[1])?.reads ?? []) {
      if (path === 'caps') continue;
      const ir = path.split('.').reduce<Ir | undefined>((acc, seg) => (acc ? ['get', acc, seg] : ['attr', seg]), undefined);
      if (ir) out.set(path, ir);
    }
  }
  for (const x of e.slice(1)) if (Array.isArray(x) && typeof x[0] === 'string') collect(x as Ir, out);
}
