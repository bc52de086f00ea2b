/**
 * Type-checks one expression against the declared context and lowers it to
 * IR. Everything that can be caught before a push is caught here: unknown
 * names and predicates, wrong argument counts and types, literals an enum
 * can never hold, malformed globs and CIDR blocks. Operator spellings that
 * mean the same thing lower to the same IR (`caps includes c` and
 * `has_cap(c)`), so they give the same .rgc bytes.
 */
import type { BinaryOp, Expr } from './ast';
import { BUILTINS, OPERATOR_FUNCTIONS, builtin, type Builtin, type LiteralKind, type Param } from './builtins';
import { QUORUM_GROUP_RE } from '../actors';
import { parseCidr } from './cidr';
import { globProblem, isShallowSubtreeGlob } from '../core/glob';
import type { CompareOp, Ir } from './ir';
import { MAX_DEPTH } from './prepare';
import type { Span } from './lexer';
import { ACTOR_KINDS, CONTEXT, CONTEXT_NAMES } from './schema';
import { closest, didYouMean } from '../core/suggest';
import { BOOL, INT, SET, STRING, sameType, typeName, type RgsType } from './types';

export interface ExprProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly span: Span;
  readonly hint?: string;
}

export interface CheckOptions {
  /** The expression can deny (a deny_if, or the `when` of a rule with deny_if): warn about shallow globs. */
  readonly denyContext: boolean;
}

interface Typed {
  readonly type: RgsType;
  readonly ir: Ir;
}

class CheckFailure {
  constructor(readonly problem: ExprProblem) {}
}

export interface Checked {
  readonly ir?: Ir;
  readonly problems: readonly ExprProblem[];
}

/** Checks a condition: it must be a bool. */
export function checkCondition(ast: Expr, opts: CheckOptions): Checked {
  const c = new Checker(opts);
  try {
    const t = c.expr(ast);
    if (t.type.kind !== 'bool') c.fail(`a condition must be a bool, this is a ${typeName(t.type)}`, ast.span, conditionHint(t.type));
    if (irDepth(t.ir) > MAX_DEPTH) c.fail(`expression nests deeper than ${MAX_DEPTH} levels once compiled`, ast.span, 'split it into several conditions');
    return { ir: t.ir, problems: c.problems };
  } catch (e) {
    if (e instanceof CheckFailure) return { problems: [...c.problems, e.problem] };
    throw e;
  }
}

function irDepth(ir: Ir): number {
  let d = 0;
  for (const x of ir.slice(1)) if (Array.isArray(x) && typeof x[0] === 'string') d = Math.max(d, irDepth(x as unknown as Ir));
  return d + 1;
}

function conditionHint(t: RgsType): string {
  if (t.kind === 'set') return "test membership: \"labels contains 'x'\" or \"size(labels) > 0\"";
  if (t.kind === 'int') return 'compare it: "approvals >= 2"';
  if (t.kind === 'string') return "compare it: \"remote == 'internal'\"";
  return 'compare or test it with a predicate';
}

const COMPARE: Readonly<Record<string, CompareOp>> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' };

class Checker {
  readonly problems: ExprProblem[] = [];
  constructor(private readonly opts: CheckOptions) {}

  fail(message: string, span: Span, hint?: string): never {
    throw new CheckFailure(hint === undefined ? { severity: 'error', message, span } : { severity: 'error', message, span, hint });
  }

  private warn(message: string, span: Span, hint: string): void {
    this.problems.push({ severity: 'warning', message, span, hint });
  }

  expr(e: Expr): Typed {
    switch (e.k) {
      case 'int':
        return { type: INT, ir: ['lit', e.value] };
      case 'str':
        return { type: STRING, ir: ['lit', e.value] };
      case 'bool':
        return { type: BOOL, ir: ['lit', e.value] };
      case 'list':
        return this.list(e.items);
      case 'ident':
        return this.ident(e.name, e.span);
      case 'member':
        return this.member(e);
      case 'index':
        return this.index(e);
      case 'call':
        return this.call(e.name, e.nameSpan, e.args, e.span);
      case 'unary':
        return e.op === 'not' ? { type: BOOL, ir: ['not', this.want(e.operand, BOOL, "'not'")] } : this.negate(e.operand);
      case 'binary':
        return this.binary(e.op, e.left, e.right, e.opSpan);
    }
  }

  private want(e: Expr, type: RgsType, what: string): Ir {
    const t = this.expr(e);
    if (!sameType(t.type, type)) this.fail(`${what} needs a ${typeName(type)}, found a ${typeName(t.type)}`, e.span);
    return t.ir;
  }

  private list(items: readonly Expr[]): Typed {
    const values = items.map((item) => {
      if (item.k !== 'str') this.fail('list items must be quoted strings', item.span, "lists are sets of string literals, e.g. ['write', 'create']");
      return item.value;
    });
    return { type: SET, ir: ['set', [...new Set(values)].sort()] };
  }

  private ident(name: string, span: Span): Typed {
    const attr = CONTEXT[name];
    if (attr) return { type: attr.type, ir: ['attr', name] };
    if (builtin(name)) this.fail(`'${name}' is a predicate and needs arguments`, span, `call it: ${name}(...)`);
    if (name === 'path') this.fail("'path' is not an attribute of the request", span, "changed paths are the set 'paths': any_match(paths, 'dir/**'); in when, write path: 'dir/**'");
    this.fail(`unknown attribute '${name}'`, span, didYouMean(name, CONTEXT_NAMES, `the request has: ${CONTEXT_NAMES.join(', ')}`));
  }

  private member(e: Extract<Expr, { k: 'member' }>): Typed {
    const obj = this.expr(e.object);
    if (obj.type.kind !== 'record') {
      const hint = obj.type.kind === 'map' ? `index the map instead: ${sourceName(e.object)}['${e.name}']` : undefined;
      this.fail(`a ${typeName(obj.type)} has no fields`, e.nameSpan, hint);
    }
    const field = obj.type.fields[e.name];
    if (!field) {
      const names = Object.keys(obj.type.fields).sort();
      this.fail(`${obj.type.name} has no field '${e.name}'`, e.nameSpan, didYouMean(e.name, names, `its fields are: ${names.join(', ')}`));
    }
    return { type: field, ir: ['get', obj.ir, e.name] };
  }

  private index(e: Extract<Expr, { k: 'index' }>): Typed {
    const obj = this.expr(e.object);
    if (obj.type.kind !== 'map') this.fail(`a ${typeName(obj.type)} cannot be indexed`, e.span, 'only maps such as trust[...] take an index');
    const key = this.expr(e.index);
    // trust[actor] is the origin spelling; an actor indexes by its id.
    if (key.type.kind === 'record' && key.type.name === 'actor') return { type: obj.type.value, ir: ['idx', obj.ir, ['get', key.ir, 'id']] };
    if (key.type.kind !== 'string') this.fail(`a map index must be a string, found a ${typeName(key.type)}`, e.index.span);
    return { type: obj.type.value, ir: ['idx', obj.ir, key.ir] };
  }

  private negate(operand: Expr): Typed {
    const ir = this.want(operand, INT, "unary '-'");
    if (ir[0] === 'lit' && typeof ir[1] === 'number') return { type: INT, ir: ['lit', ir[1] === 0 ? 0 : -ir[1]] };
    return { type: INT, ir: ['neg', ir] };
  }

  private call(name: string, nameSpan: Span, args: readonly Expr[], span: Span): Typed {
    if (name === 'includes' || name === 'contains' || name === 'matches') {
      if (args.length !== 2) this.fail(`${name} takes 2 arguments, found ${args.length}`, span);
      return this.binary(name, args[0] as Expr, args[1] as Expr, nameSpan);
    }
    const b = builtin(name);
    if (!b) this.fail(`unknown predicate '${name}'`, nameSpan, didYouMean(name, [...BUILTINS.map((x) => x.name), ...OPERATOR_FUNCTIONS], 'the predicates are listed in docs/rgs.md'));
    if (args.length !== b.params.length) {
      this.fail(`${name} takes ${b.params.length} argument${b.params.length === 1 ? '' : 's'} (${b.params.map((p) => p.name).join(', ')}), found ${args.length}`, span);
    }
    const irs = b.params.map((p, i) => this.argument(b, p, args[i] as Expr));
    return { type: b.result, ir: ['call', name, ...irs] };
  }

  private argument(b: Builtin, p: Param, arg: Expr): Ir {
    const ir = this.want(arg, p.type, `argument '${p.name}' of ${b.name}`);
    if (!p.literal) return ir;
    if (arg.k !== 'str') this.fail(`argument '${p.name}' of ${b.name} must be a quoted string`, arg.span, 'patterns, CIDR blocks and kinds are checked when the policy compiles');
    this.literal(p.literal, arg.value, arg.span);
    return ir;
  }

  private literal(kind: LiteralKind, value: string, span: Span): void {
    if (kind === 'glob') {
      const problem = globProblem(value);
      if (problem) this.fail(problem.message, span, problem.hint);
      if (this.opts.denyContext && isShallowSubtreeGlob(value)) {
        const deep = `${value.slice(0, -1)}**`;
        this.warn(`'${value}' matches direct children only; in a deny it silently lets deeper names through (e.g. '${value.slice(0, -1)}a/b')`, span, `write '${deep}' to cover the whole subtree ('*' never crosses '/')`);
      }
    } else if (kind === 'cidr') {
      const c = parseCidr(value);
      if (!c.ok) this.fail(c.message, span, c.hint);
    } else if (kind === 'group') {
      if (!QUORUM_GROUP_RE.test(value)) this.fail(`'${value}' is not a group`, span, "write a trust-graph group with '@', e.g. '@leads'");
    } else if (!(ACTOR_KINDS as readonly string[]).includes(value)) {
      this.fail(`'${value}' is not an actor kind`, span, didYouMean(value, ACTOR_KINDS, `the kinds are: ${ACTOR_KINDS.join(', ')}`));
    }
  }

  private binary(op: BinaryOp, left: Expr, right: Expr, opSpan: Span): Typed {
    switch (op) {
      case 'and':
      case 'or': {
        const a = this.want(left, BOOL, `'${op}'`);
        const b = this.want(right, BOOL, `'${op}'`);
        const parts = [...(a[0] === op ? a.slice(1) : [a]), ...(b[0] === op ? b.slice(1) : [b])] as Ir[];
        return { type: BOOL, ir: [op, ...parts] };
      }
      case '==':
      case '!=':
        return this.equality(COMPARE[op] as CompareOp, left, right, opSpan);
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const a = this.want(left, INT, `'${op}'`);
        const b = this.want(right, INT, `'${op}'`);
        return { type: BOOL, ir: [COMPARE[op] as CompareOp, a, b] };
      }
      case '+':
      case '-': {
        if (op === '+') {
          const a = this.expr(left);
          if (a.type.kind === 'string') return { type: STRING, ir: ['call', 'concat', a.ir, this.want(right, STRING, "'+' after a string")] };
        }
        return { type: INT, ir: [op === '+' ? 'add' : 'sub', this.want(left, INT, `'${op}'`), this.want(right, INT, `'${op}'`)] };
      }
      case 'in':
      case 'not in': {
        const member = this.membership(right, left, opSpan, op);
        return { type: BOOL, ir: op === 'in' ? member : ['not', member] };
      }
      case 'includes':
      case 'contains':
        return { type: BOOL, ir: this.membership(left, right, opSpan, op) };
      case 'matches': {
        const name = this.want(left, STRING, "the left side of 'matches'");
        if (right.k !== 'str') this.fail("the right side of 'matches' must be a quoted glob", right.span);
        this.literal('glob', right.value, right.span);
        return { type: BOOL, ir: ['call', 'glob', name, ['lit', right.value]] };
      }
    }
  }

  /** `container includes element` in all its spellings. */
  private membership(containerExpr: Expr, elementExpr: Expr, opSpan: Span, op: string): Ir {
    const container = this.expr(containerExpr);
    const element = this.expr(elementExpr);
    if (container.type.kind === 'string' && op === 'contains') {
      if (element.type.kind !== 'string') this.fail(`'contains' on a string needs a string, found a ${typeName(element.type)}`, elementExpr.span);
      return ['call', 'str_contains', container.ir, element.ir];
    }
    if (element.type.kind !== 'string') this.fail(`'${op}' tests a string, found a ${typeName(element.type)}`, elementExpr.span);
    if (container.type.kind === 'caps') return ['call', 'has_cap', element.ir];
    if (container.type.kind !== 'set') {
      const hint = container.type.kind === 'string' ? `compare strings with == or test a part with "text contains 'part'"` : 'membership needs a set such as labels, paths or a list literal';
      this.fail(`'${op}' needs a set, found a ${typeName(container.type)}`, opSpan, hint);
    }
    if (element.type.kind === 'string' && element.type.oneOf && container.ir[0] === 'set') {
      for (const v of container.ir[1]) this.checkEnumLiteral(element.type.oneOf, v, containerExpr.span, sourceName(elementExpr));
    }
    return ['in', element.ir, container.ir];
  }

  private equality(op: CompareOp, left: Expr, right: Expr, opSpan: Span): Typed {
    const a = this.expr(left);
    const b = this.expr(right);
    if (!sameType(a.type, b.type)) this.fail(`cannot compare a ${typeName(a.type)} with a ${typeName(b.type)}`, opSpan);
    if (a.type.kind !== 'bool' && a.type.kind !== 'int' && a.type.kind !== 'string') {
      this.fail(`a ${typeName(a.type)} cannot be compared with '${op === 'eq' ? '==' : '!='}'`, opSpan, 'compare its fields or use a predicate such as size()');
    }
    for (const [side, other, expr] of [[a, b, right], [b, a, left]] as const) {
      if (side.type.kind === 'string' && side.type.oneOf && other.ir[0] === 'lit' && typeof other.ir[1] === 'string') {
        this.checkEnumLiteral(side.type.oneOf, other.ir[1], expr.span, sourceName(side === a ? left : right));
      }
    }
    return { type: BOOL, ir: [op, a.ir, b.ir] };
  }

  private checkEnumLiteral(allowed: readonly string[], value: string, span: Span, what: string): void {
    if (allowed.includes(value)) return;
    const near = closest(value, allowed);
    this.fail(`${what} is never '${value}'`, span, near ? `did you mean '${near}'? (one of ${allowed.join(', ')})` : `it is one of ${allowed.join(', ')}`);
  }
}

/** A short source-like name for messages ("actor.kind"). */
function sourceName(e: Expr): string {
  if (e.k === 'ident') return e.name;
  if (e.k === 'member') return `${sourceName(e.object)}.${e.name}`;
  return 'the value';
}
