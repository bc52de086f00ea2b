/**
 * Turns decoded IR into closures, checking its shape and types on the way:
 * bytes that passed the canonical decoder but do not form a well-typed
 * policy are refused here (ArtifactProblem), never evaluated. Each closure
 * reads the request through guards, so a missing or ill-typed attribute is
 * an EvalFailure at run time, not a crash and not a silent skip.
 */
import { builtin } from './builtins';
import { QUORUM_GROUP_RE } from '../actors';
import { ipInCidr, parseCidr } from './cidr';
import { globMatcher, globProblem } from '../core/glob';
import { Frame, slotOf, UNREAD } from './frame';
import { attrPath, COMPARE_OPS, type Ir } from './ir';
import { printIr } from './print';
import { ACTOR_KINDS, CONTEXT } from './schema';
import { BOOL, INT, SET, STRING, sameType, typeName, type RgsType } from './types';
import { EvalFailure, hasOwn, intern, isObject, isStringSet, missing, quotedValue, wrongType } from './values';

/** A prepared expression: evaluates over one evaluation's frame of the request. */
export type Fn = (f: Frame) => unknown;

export interface Prepared {
  readonly fn: Fn;
  readonly type: RgsType;
  /** For an attribute path cached in the frame: its slot, so a consumer can read a value already checked without a call. */
  readonly slot?: number;
  /** For a literal: its value, so a consumer can compare with it directly. */
  readonly constant?: { readonly value: unknown };
}

/**
 * Closure-call overhead dominates evaluation (each node calls its operands
 * through shared, hence megamorphic, call sites), so the hot shapes below get
 * closures of their own: an operand that is a cached attribute path is read
 * from the frame inline, and a literal operand is a captured constant.
 */

export class ArtifactProblem {
  constructor(readonly message: string) {}
}

/** Expressions nest at most this deep (the compiler refuses deeper sources). */
export const MAX_DEPTH = 64;

function bad(message: string): never {
  throw new ArtifactProblem(message);
}

function isIr(x: unknown): x is Ir {
  return Array.isArray(x) && x.length > 0 && typeof x[0] === 'string';
}

export function prepare(node: unknown, depth = 0): Prepared {
  if (depth > MAX_DEPTH) bad(`expression nests deeper than ${MAX_DEPTH}`);
  if (!isIr(node)) bad('an expression is not an operation array');
  const e = node as readonly unknown[];
  const arity = (n: number) => {
    if (e.length !== n) bad(`'${String(e[0])}' has ${e.length - 1} operands, expected ${n - 1}`);
  };
  const sub = (i: number): Prepared => prepare(e[i], depth + 1);
  const want = (p: Prepared, t: RgsType, what: string): Fn => {
    if (!sameType(p.type, t)) bad(`${what} needs a ${typeName(t)}, found a ${typeName(p.type)}`);
    return p.fn;
  };
  const op = e[0] as string;
  switch (op) {
    case 'lit': {
      arity(2);
      const v = typeof e[1] === 'string' ? intern(e[1]) : e[1];
      const constant = { value: v };
      if (typeof v === 'boolean') return { fn: () => v, type: BOOL, constant };
      if (typeof v === 'number' && Number.isSafeInteger(v)) return { fn: () => v, type: INT, constant };
      if (typeof v === 'string') return { fn: () => v, type: STRING, constant };
      return bad('a literal must be a bool, a safe integer or a string');
    }
    case 'set': {
      arity(2);
      const items = e[1];
      if (!isStringSet(items)) bad('a set literal must hold strings');
      for (let i = 1; i < items.length; i++) if (!((items[i - 1] as string) < (items[i] as string))) bad('a set literal must be sorted without duplicates');
      const frozen = Object.freeze([...items]);
      return { fn: () => frozen, type: SET };
    }
    case 'attr': {
      arity(2);
      const name = e[1];
      if (typeof name !== 'string' || !hasOwn(CONTEXT, name)) bad(`unknown attribute ${quotedValue(name)}`);
      const type = (CONTEXT[name] as { type: RgsType }).type;
      const guard = guardFor(type, name);
      const slot = slotOf(name) as number;
      return {
        type,
        slot,
        // Schema names (intent, actor, ...) are never Object.prototype members, so a direct read cannot pick up an inherited value.
        fn: (f) => {
          const cached = f.slots[slot];
          if (cached !== UNREAD) return cached;
          const v = f.request[name];
          if (v === undefined || v === null) throw missing(name);
          return (f.slots[slot] = guard(v));
        },
      };
    }
    case 'get': {
      arity(3);
      const base = sub(1);
      const field = e[2];
      if (base.type.kind !== 'record') bad(`field access on a ${typeName(base.type)}`);
      if (typeof field !== 'string' || !hasOwn(base.type.fields, field)) bad(`${base.type.name} has no field ${quotedValue(field)}`);
      const type = base.type.fields[field] as RgsType;
      const subject = printIr(e as Ir);
      const guard = guardFor(type, subject);
      const baseFn = base.fn;
      const path = attrPath(e as Ir);
      const slot = path === undefined ? undefined : slotOf(path);
      const read: Fn = (f) => {
        const o = baseFn(f) as Record<string, unknown>;
        const v = o[field];
        if (v === undefined || v === null) throw missing(subject);
        return guard(v);
      };
      if (slot === undefined) return { type, fn: read };
      return {
        type,
        slot,
        fn: (f) => {
          const cached = f.slots[slot];
          return cached !== UNREAD ? cached : (f.slots[slot] = read(f));
        },
      };
    }
    case 'idx': {
      arity(3);
      const base = sub(1);
      const key = sub(2);
      if (base.type.kind !== 'map') bad(`index into a ${typeName(base.type)}`);
      const keyFn = want(key, STRING, 'a map index');
      const type = base.type.value;
      const mapText = printIr(e[1] as Ir);
      const guard = guardFor(type, printIr(e as Ir));
      const baseFn = base.fn;
      return {
        type,
        fn: (r) => {
          const m = baseFn(r) as Record<string, unknown>;
          const k = keyFn(r) as string;
          const v = hasOwn(m, k) ? m[k] : undefined;
          if (v === undefined || v === null) throw new EvalFailure(`${mapText}['${k}']`, `${mapText} has no entry '${k}'`);
          return guard(v);
        },
      };
    }
    case 'not': {
      arity(2);
      const f = want(sub(1), BOOL, "'not'");
      return { type: BOOL, fn: (r) => !f(r) };
    }
    case 'and':
    case 'or': {
      if (e.length < 3) bad(`'${op}' needs at least 2 operands`);
      const fs = e.slice(1).map((_, i) => want(sub(i + 1), BOOL, `'${op}'`));
      return { type: BOOL, fn: op === 'and' ? allOf(fs) : anyOf(fs) };
    }
    case 'eq':
    case 'ne': {
      arity(3);
      const a = sub(1);
      const b = sub(2);
      if (!sameType(a.type, b.type) || !(a.type.kind === 'bool' || a.type.kind === 'int' || a.type.kind === 'string')) bad(`'${op}' compares a ${typeName(a.type)} with a ${typeName(b.type)}`);
      const fa = a.fn;
      const fb = b.fn;
      // A literal on the right (the usual spelling) and a cached path on the left: no calls once the path is read.
      if (b.constant && a.slot !== undefined) {
        const s = a.slot;
        const k = b.constant.value;
        return {
          type: BOOL,
          fn: op === 'eq'
            ? (r) => {
                const c = r.slots[s];
                return (c !== UNREAD ? c : fa(r)) === k;
              }
            : (r) => {
                const c = r.slots[s];
                return (c !== UNREAD ? c : fa(r)) !== k;
              },
        };
      }
      return { type: BOOL, fn: op === 'eq' ? (r) => fa(r) === fb(r) : (r) => fa(r) !== fb(r) };
    }
    case 'lt':
    case 'le':
    case 'gt':
    case 'ge': {
      arity(3);
      const a = sub(1);
      const b = sub(2);
      const fa = want(a, INT, `'${op}'`);
      const fb = want(b, INT, `'${op}'`);
      if (b.constant && a.slot !== undefined) {
        const s = a.slot;
        const k = b.constant.value as number;
        const read = (r: Frame) => {
          const c = r.slots[s];
          return (c !== UNREAD ? c : fa(r)) as number;
        };
        const withConstant = {
          lt: (r: Frame) => read(r) < k,
          le: (r: Frame) => read(r) <= k,
          gt: (r: Frame) => read(r) > k,
          ge: (r: Frame) => read(r) >= k,
        }[op];
        return { type: BOOL, fn: withConstant };
      }
      const cmp = {
        lt: (r: Frame) => (fa(r) as number) < (fb(r) as number),
        le: (r: Frame) => (fa(r) as number) <= (fb(r) as number),
        gt: (r: Frame) => (fa(r) as number) > (fb(r) as number),
        ge: (r: Frame) => (fa(r) as number) >= (fb(r) as number),
      }[op];
      return { type: BOOL, fn: cmp };
    }
    case 'add':
    case 'sub':
    case 'neg': {
      arity(op === 'neg' ? 2 : 3);
      const text = printIr(e as Ir);
      const fa = want(sub(1), INT, `'${op}'`);
      const fb = op === 'neg' ? () => 0 : want(sub(2), INT, `'${op}'`);
      const sign = op === 'add' ? 1 : -1;
      const apply: Fn = op === 'neg' ? (r) => -(fa(r) as number) : (r) => (fa(r) as number) + sign * (fb(r) as number);
      return {
        type: INT,
        fn: (r) => {
          const v = apply(r) as number;
          if (!Number.isSafeInteger(v)) throw new EvalFailure(text, `integer overflow in ${text}`);
          return v === 0 ? 0 : v;
        },
      };
    }
    case 'in': {
      arity(3);
      const xp = sub(1);
      const x = want(xp, STRING, "the left side of 'in'");
      const setNode = e[2];
      const s = want(sub(2), SET, "the right side of 'in'");
      if (isIr(setNode) && setNode[0] === 'set') {
        const lookup = new Set((setNode[1] as readonly string[]).map(intern));
        const xs = xp.slot;
        if (xs !== undefined) {
          return { type: BOOL, fn: (r) => {
            const c = r.slots[xs];
            return lookup.has((c !== UNREAD ? c : x(r)) as string);
          } };
        }
        return { type: BOOL, fn: (r) => lookup.has(x(r) as string) };
      }
      return { type: BOOL, fn: (r) => {
        const v = x(r);
        return (s(r) as readonly string[]).includes(v as string);
      } };
    }
    case 'call':
      return prepareCall(e, depth);
    default:
      if ((COMPARE_OPS as readonly string[]).includes(op)) bad(`bad comparison ${op}`);
      return bad(`unknown operation ${quotedValue(op, 40)}`);
  }
}

/** Conjunction and disjunction, unrolled for the common short forms (monomorphic calls are much faster). */
function allOf(fs: readonly Fn[]): Fn {
  const [a, b, c] = fs as [Fn, Fn, Fn];
  if (fs.length === 2) return (r) => !!a(r) && !!b(r);
  if (fs.length === 3) return (r) => !!a(r) && !!b(r) && !!c(r);
  return (r) => {
    for (let i = 0; i < fs.length; i++) if (!(fs[i] as Fn)(r)) return false;
    return true;
  };
}

function anyOf(fs: readonly Fn[]): Fn {
  const [a, b, c] = fs as [Fn, Fn, Fn];
  if (fs.length === 2) return (r) => !!a(r) || !!b(r);
  if (fs.length === 3) return (r) => !!a(r) || !!b(r) || !!c(r);
  return (r) => {
    for (let i = 0; i < fs.length; i++) if ((fs[i] as Fn)(r)) return true;
    return false;
  };
}

function literalArg(e: readonly unknown[], i: number): string {
  const a = e[i];
  if (!isIr(a) || a[0] !== 'lit' || a.length !== 2 || typeof a[1] !== 'string') bad(`argument ${i - 1} of ${String(e[1])} must be a string literal`);
  return a[1] as string;
}

function prepareCall(e: readonly unknown[], depth: number): Prepared {
  const name = e[1];
  const b = typeof name === 'string' ? builtin(name) : undefined;
  if (!b) return bad(`unknown function ${quotedValue(name, 40)}`);
  if (e.length !== b.params.length + 2) bad(`${b.name} takes ${b.params.length} arguments, found ${e.length - 2}`);
  const prepared: Prepared[] = [];
  const args = b.params.map((p, i) => {
    const a = prepare(e[i + 2], depth + 1);
    prepared.push(a);
    if (!sameType(a.type, p.type)) bad(`argument '${p.name}' of ${b.name} needs a ${typeName(p.type)}, found a ${typeName(a.type)}`);
    if (p.literal) {
      const lit = literalArg(e, i + 2);
      if (p.literal === 'glob' && globProblem(lit)) bad(`bad glob ${JSON.stringify(lit)}`);
      if (p.literal === 'cidr' && !parseCidr(lit).ok) bad(`bad CIDR ${JSON.stringify(lit)}`);
      if (p.literal === 'actor_kind' && !(ACTOR_KINDS as readonly string[]).includes(lit)) bad(`bad actor kind ${JSON.stringify(lit)}`);
      if (p.literal === 'group' && !QUORUM_GROUP_RE.test(lit)) bad(`bad group ${JSON.stringify(lit)}`);
    }
    return a.fn;
  });
  const a0 = args[0] as Fn;
  /** The first argument's frame slot when it is a cached attribute path (-1: call it). */
  const s0 = prepared[0]?.slot ?? -1;
  const a1 = args[1] as Fn;
  const now = readAttr('now', INT);
  switch (b.name) {
    case 'has_cap': {
      const caps = readAttr('caps', CAPS_T);
      return { type: BOOL, fn: (r) => {
        const expiry = capExpiry(caps(r) as Record<string, unknown>, a0(r) as string);
        return expiry === undefined ? false : expiry === null ? true : (now(r) as number) < expiry;
      } };
    }
    case 'in_cidr': {
      const parsed = parseCidr(literalArg(e, 3));
      if (!parsed.ok) return bad('bad CIDR');
      const cidr = parsed.cidr;
      const subject = printIr(e[2] as Ir);
      return { type: BOOL, fn: (r) => {
        const c = s0 >= 0 ? r.slots[s0] : UNREAD;
        const ip = r.ipOf((c !== UNREAD ? c : a0(r)) as string);
        if (!ip) throw new EvalFailure(subject, `${subject} is not an IP address`);
        return ipInCidr(ip, cidr);
      } };
    }
    case 'before_epoch':
      return { type: BOOL, fn: (r) => (now(r) as number) < (a0(r) as number) };
    case 'after_epoch':
      return { type: BOOL, fn: (r) => (now(r) as number) >= (a0(r) as number) };
    case 'glob': {
      const match = globMatcher(literalArg(e, 3));
      if (s0 >= 0) {
        return { type: BOOL, fn: (r) => {
          const c = r.slots[s0];
          return match((c !== UNREAD ? c : a0(r)) as string);
        } };
      }
      return { type: BOOL, fn: (r) => match(a0(r) as string) };
    }
    case 'any_match': {
      const match = globMatcher(literalArg(e, 3));
      if (s0 >= 0) {
        return { type: BOOL, fn: (r) => {
          const c = r.slots[s0];
          return ((c !== UNREAD ? c : a0(r)) as readonly string[]).some(match);
        } };
      }
      return { type: BOOL, fn: (r) => (a0(r) as readonly string[]).some(match) };
    }
    case 'all_match': {
      const match = globMatcher(literalArg(e, 3));
      return { type: BOOL, fn: (r) => (a0(r) as readonly string[]).every(match) };
    }
    case 'label': {
      const labels = readAttr('labels', SET);
      return { type: BOOL, fn: (r) => (labels(r) as readonly string[]).includes(a0(r) as string) };
    }
    case 'actor_kind': {
      const kind = prepare(['get', ['attr', 'actor'], 'kind']).fn;
      return { type: BOOL, fn: (r) => kind(r) === a0(r) };
    }
    case 'in_group': {
      const groups = prepare(['get', ['attr', 'actor'], 'groups']).fn;
      return { type: BOOL, fn: (r) => (groups(r) as readonly string[]).includes(a0(r) as string) };
    }
    case 'quorum': {
      const approvers = readAttr('approvers', SET);
      const groups = readAttr('groups', { kind: 'map', value: SET });
      const group = literalArg(e, 2).slice(1);
      return { type: BOOL, fn: (r) => quorumCount(approvers(r) as readonly string[], groups(r) as Record<string, unknown>, group).count >= (a1(r) as number) };
    }
    case 'size':
      return { type: INT, fn: (r) => new Set(a0(r) as readonly string[]).size };
    case 'starts_with':
      return { type: BOOL, fn: (r) => (a0(r) as string).startsWith(a1(r) as string) };
    case 'ends_with':
      return { type: BOOL, fn: (r) => (a0(r) as string).endsWith(a1(r) as string) };
    case 'concat':
      return { type: STRING, fn: (r) => (a0(r) as string) + (a1(r) as string) };
    case 'str_contains':
      return { type: BOOL, fn: (r) => (a0(r) as string).includes(a1(r) as string) };
    default:
      return bad(`function ${b.name} has no implementation`);
  }
}

const CAPS_T: RgsType = { kind: 'caps' };

/** How many of `approvers` are members of `group` (absent group: none), and the members still missing. */
export function quorumCount(approvers: readonly string[], groups: Record<string, unknown>, group: string): { count: number; missing: string[]; counted: string[] } {
  const members = hasOwn(groups, group) && Array.isArray(groups[group]) ? (groups[group] as readonly string[]) : [];
  const given = new Set(approvers);
  const counted = [...new Set(members)].filter((m) => given.has(m)).sort();
  const missing = [...new Set(members)].filter((m) => !given.has(m)).sort();
  return { count: counted.length, missing, counted };
}

function readAttr(name: string, type: RgsType): Fn {
  const p = prepare(['attr', name]);
  if (!sameType(p.type, type)) bad(`attribute ${name} is declared as ${typeName(p.type)}`);
  return p.fn;
}

/**
 * Whether `caps` grants `cap` now. A grant is an expiry epoch (valid while
 * now < expiry) or null (no expiry). `now` is read only when needed.
 */
export function capHeld(caps: Record<string, unknown>, cap: string, now: () => number): boolean {
  const expiry = capExpiry(caps, cap);
  return expiry === undefined ? false : expiry === null ? true : now() < expiry;
}

/** The grant of `cap`: undefined when not granted, null for no expiry, else its expiry epoch; a malformed grant is an EvalFailure. */
function capExpiry(caps: Record<string, unknown>, cap: string): number | null | undefined {
  if (!hasOwn(caps, cap)) return undefined;
  const expiry = caps[cap];
  if (expiry === null) return null;
  if (typeof expiry !== 'number' || !Number.isSafeInteger(expiry)) throw wrongType(`caps['${cap}']`, 'an expiry epoch (integer) or null', expiry);
  return expiry;
}

/** The run-time check for a value read from the request. */
function guardFor(type: RgsType, subject: string): (v: unknown) => unknown {
  switch (type.kind) {
    case 'bool':
      return (v) => {
        if (typeof v !== 'boolean') throw wrongType(subject, 'a bool', v);
        return v;
      };
    case 'int':
      return (v) => {
        if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw wrongType(subject, 'an integer', v);
        return v;
      };
    case 'string': {
      const oneOf = type.oneOf;
      const allowed = new Set(oneOf ?? []);
      return (v) => {
        if (typeof v !== 'string') throw wrongType(subject, 'a string', v);
        if (oneOf && !allowed.has(v)) throw new EvalFailure(subject, `attribute '${subject}' is '${v}', expected one of ${oneOf.join(', ')}`);
        return v;
      };
    }
    case 'set':
      return (v) => {
        if (!isStringSet(v)) throw wrongType(subject, 'a set of strings', v);
        return v;
      };
    case 'caps':
    case 'map':
    case 'record':
      return (v) => {
        if (!isObject(v)) throw wrongType(subject, `a ${typeName(type)}`, v);
        return v;
      };
  }
}
