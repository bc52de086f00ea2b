/**
 * Normalize and lower a parsed chunk to ELC: resolve every name to a local
 * slot, an upvalue or a global; turn sugar into plain forms (method
 * definitions, `local function`, string and table call syntax, implicit
 * for-steps); fold constant arithmetic with the VM's own number code, so
 * folding can never disagree with running. Errors carry source locations.
 */
import type * as L from 'luaparse';
import type { Diagnostic } from '../../../core/diagnostic';
import { statementsInOrder } from '../statements';
import type { BinaryOp, ElcBlock, ElcExpr, ElcField, ElcProto, ElcStmt, ElcTarget, UnaryOp } from '../elc';
import { add, band, bnot, bor, bxor, div, idiv, mod, mul, neg, shl, shr, sub } from '../vm/number';
import { binToBytes } from '../vm/strings';
import { LuaError, Q, type Value } from '../vm/values';
import { checkNumericLiteral } from './literals';
import { rangeOf, type SourceMap } from './parse';

/** Deeper source nesting is refused at compile time, so the VM never meets it. */
export const MAX_NESTING = 150;

class LowerError {
  constructor(readonly diagnostic: Diagnostic) {}
}

interface Var {
  readonly fn: FnState;
  readonly slot: number;
}

class FnState {
  nslots = 0;
  readonly boxed = new Set<number>();
  readonly ups: (readonly [0 | 1, number])[] = [];
  readonly upIndex = new Map<Var, number>();
  readonly scopes: Map<string, Var>[] = [];

  constructor(
    readonly parent: FnState | undefined,
    readonly va: boolean,
  ) {}

  declare(name: string): Var {
    const v: Var = { fn: this, slot: this.nslots++ };
    (this.scopes[this.scopes.length - 1] as Map<string, Var>).set(name, v);
    return v;
  }

  find(name: string): Var | undefined {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const v = (this.scopes[i] as Map<string, Var>).get(name);
      if (v) return v;
    }
    return undefined;
  }

  upvalue(v: Var): number {
    const known = this.upIndex.get(v);
    if (known !== undefined) return known;
    const parent = this.parent as FnState;
    const entry: readonly [0 | 1, number] = parent === v.fn ? [0, v.slot] : [1, parent.upvalue(v)];
    this.ups.push(entry);
    const i = this.ups.length - 1;
    this.upIndex.set(v, i);
    return i;
  }
}

const BIN: Readonly<Record<string, BinaryOp>> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '//': 'idiv', '%': 'mod', '..': 'concat',
  '==': 'eq', '~=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', and: 'and', or: 'or',
  '&': 'band', '|': 'bor', '~': 'bxor', '<<': 'shl', '>>': 'shr',
};
const UN: Readonly<Record<string, UnaryOp>> = { '-': 'neg', not: 'not', '#': 'len', '~': 'bnot' };

const FOLDABLE: Partial<Record<BinaryOp, (a: Value, b: Value) => Value>> = {
  add, sub, mul, div, idiv, mod, band, bor, bxor, shl, shr,
};

function isMultiNode(e: L.Expression): boolean {
  return e.type === 'CallExpression' || e.type === 'StringCallExpression' || e.type === 'TableCallExpression' || e.type === 'VarargLiteral';
}

function constOf(e: ElcExpr): Value | typeof NOT_CONST {
  if (e[0] === 'k') {
    const c = e[1];
    if (typeof c === 'number' || typeof c === 'bigint') return c;
    return NOT_CONST;
  }
  if (e[0] === 'q') return new Q(BigInt(e[1]));
  return NOT_CONST;
}
const NOT_CONST = Symbol('not-const');

function safeInt(b: bigint): number | bigint {
  return b >= -BigInt(Number.MAX_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b;
}

function numberNode(v: Value): ElcExpr | undefined {
  if (typeof v === 'number' || typeof v === 'bigint') return ['k', v];
  if (v instanceof Q) return ['q', safeInt(v.raw)];
  return undefined;
}

export class Lowerer {
  private fn: FnState = new FnState(undefined, true);
  private depth = 0;
  private loops = 0;
  /** The source line of each statement made (run-time errors name it, src/fold/echolua/statements.ts). */
  private readonly lines = new Map<ElcStmt, number>();

  constructor(private readonly map: SourceMap) {}

  private fail(node: object, message: string, hint?: string): never {
    const [s, e] = rangeOf(node);
    throw new LowerError({ severity: 'error', code: 'compile', message, location: this.map.locate(s, e), ...(hint ? { hint } : {}) });
  }

  lowerChunk(chunk: L.Chunk): ElcProto {
    this.fn.scopes.push(new Map());
    const body = this.block(chunk.body, false);
    return this.proto('main', 0, body);
  }

  private proto(name: string, np: number, body: ElcBlock): ElcProto {
    const f = this.fn;
    return { name, np, va: f.va, ns: f.nslots, boxed: [...f.boxed].sort((a, b) => a - b), up: f.ups.map((u) => [u[0], u[1]] as const), body };
  }

  private nest<T>(node: object, fn: () => T): T {
    if (++this.depth > MAX_NESTING) this.fail(node, `the code is nested more than ${MAX_NESTING} levels deep`, 'move inner parts into local variables or functions');
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }

  private block(stmts: L.Statement[], scoped = true): ElcBlock {
    if (scoped) this.fn.scopes.push(new Map());
    const out: ElcStmt[] = [];
    for (const s of stmts) {
      const first = out.length;
      this.nest(s, () => this.stmt(s, out));
      const [start, end] = rangeOf(s);
      const line = this.map.locate(start, end).line;
      for (let i = first; i < out.length; i++) this.lines.set(out[i] as ElcStmt, line);
    }
    if (scoped) this.fn.scopes.pop();
    return out;
  }

  private stmt(s: L.Statement, out: ElcStmt[]): void {
    switch (s.type) {
      case 'LocalStatement': {
        const exprs = this.exprList(s.init);
        const slots = s.variables.map((v) => this.fn.declare(v.name).slot);
        out.push(['local', slots, exprs]);
        return;
      }
      case 'AssignmentStatement': {
        const targets = s.variables.map((v) => this.target(v));
        out.push(['set', targets, this.exprList(s.init)]);
        return;
      }
      case 'CallStatement':
        out.push(['x', this.expr(s.expression)]);
        return;
      case 'FunctionDeclaration':
        this.functionStatement(s, out);
        return;
      case 'IfStatement': {
        const arms: (readonly [ElcExpr, ElcBlock])[] = [];
        let orElse: ElcBlock = [];
        for (const c of s.clauses) {
          if (c.type === 'ElseClause') orElse = this.block(c.body);
          else arms.push([this.expr(c.condition), this.block(c.body)]);
        }
        out.push(['if', arms, orElse]);
        return;
      }
      case 'WhileStatement': {
        const cond = this.expr(s.condition);
        out.push(['while', cond, this.loopBody(() => this.block(s.body))]);
        return;
      }
      case 'RepeatStatement': {
        // The condition sees the body's locals: one scope around both.
        this.fn.scopes.push(new Map());
        const body = this.loopBody(() => this.block(s.body, false));
        const cond = this.expr(s.condition);
        this.fn.scopes.pop();
        out.push(['repeat', body, cond]);
        return;
      }
      case 'DoStatement':
        out.push(['do', this.block(s.body)]);
        return;
      case 'ForNumericStatement': {
        const start = this.expr(s.start);
        const limit = this.expr(s.end);
        const step: ElcExpr = s.step ? this.expr(s.step) : ['k', 1];
        this.fn.scopes.push(new Map());
        const slot = this.fn.declare(s.variable.name).slot;
        const body = this.loopBody(() => this.block(s.body));
        this.fn.scopes.pop();
        out.push(['fornum', slot, start, limit, step, body]);
        return;
      }
      case 'ForGenericStatement': {
        const exprs = this.exprList(s.iterators);
        this.fn.scopes.push(new Map());
        const slots = s.variables.map((v) => this.fn.declare(v.name).slot);
        const body = this.loopBody(() => this.block(s.body));
        this.fn.scopes.pop();
        out.push(['forin', slots, exprs, body]);
        return;
      }
      case 'ReturnStatement':
        out.push(['ret', this.exprList(s.arguments)]);
        return;
      case 'BreakStatement':
        if (this.loops === 0) this.fail(s, "'break' outside a loop");
        out.push(['break']);
        return;
      case 'GotoStatement':
      case 'LabelStatement':
        this.fail(s, 'goto and labels are not part of EchoLua', 'use loops with break');
    }
  }

  private loopBody(fn: () => ElcBlock): ElcBlock {
    this.loops++;
    try {
      return fn();
    } finally {
      this.loops--;
    }
  }

  private functionStatement(s: L.FunctionDeclaration, out: ElcStmt[]): void {
    const id = s.identifier;
    if (id === null) {
      out.push(['x', this.functionExpr(s, 'anonymous', false)]);
      return;
    }
    if (s.isLocal && id.type === 'Identifier') {
      // local function f: f is in scope inside its own body.
      const slot = this.fn.declare(id.name).slot;
      out.push(['local', [slot], []]);
      out.push(['set', [['l', slot]], [this.functionExpr(s, id.name, false)]]);
      return;
    }
    const method = id.type === 'MemberExpression' && id.indexer === ':';
    const target = this.target(id as L.Identifier | L.MemberExpression);
    out.push(['set', [target], [this.functionExpr(s, nameOf(id), method)]]);
  }

  private functionExpr(f: L.FunctionDeclaration, name: string, method: boolean): ElcExpr {
    const va = f.parameters.some((p) => p.type === 'VarargLiteral');
    const outer = this.fn;
    const savedLoops = this.loops;
    this.loops = 0;
    this.fn = new FnState(outer, va);
    this.fn.scopes.push(new Map());
    if (method) this.fn.declare('self');
    for (const p of f.parameters) if (p.type === 'Identifier') this.fn.declare(p.name);
    const np = this.fn.nslots;
    const body = this.block(f.body, false);
    const proto = this.proto(name, np, body);
    this.fn = outer;
    this.loops = savedLoops;
    return ['fn', proto];
  }

  private resolve(name: string): ElcExpr {
    const v = this.findVar(name);
    if (v === undefined) return ['g', name];
    if (v.fn === this.fn) return ['l', v.slot];
    v.fn.boxed.add(v.slot);
    return ['u', this.fn.upvalue(v)];
  }

  private findVar(name: string): Var | undefined {
    for (let f: FnState | undefined = this.fn; f; f = f.parent) {
      const v = f.find(name);
      if (v) return v;
    }
    return undefined;
  }

  private target(v: L.Identifier | L.MemberExpression | L.IndexExpression): ElcTarget {
    if (v.type === 'Identifier') return this.resolve(v.name) as ElcTarget;
    if (v.type === 'MemberExpression') return ['ix', this.expr(v.base), strConst(v.identifier.name)];
    return ['ix', this.expr(v.base), this.expr(v.index)];
  }

  /** An expression list where the last element may give several values. */
  private exprList(list: L.Expression[]): ElcExpr[] {
    return list.map((e, i) => (i === list.length - 1 ? this.multiExpr(e) : this.expr(e)));
  }

  /** In a multi-value position a parenthesized call or '...' gives one value: Lua's (f()). */
  private multiExpr(e: L.Expression): ElcExpr {
    const lowered = this.expr(e);
    if (isMultiNode(e) && this.parenthesized(e)) return ['one', lowered];
    return lowered;
  }

  /** luaparse drops parentheses; find them in the source around the node. */
  private parenthesized(e: L.Expression): boolean {
    const [s, end] = rangeOf(e);
    const before = this.map.prevTokenChar(s);
    if (this.map.charAt(before) !== '(') return false;
    const after = this.map.nextTokenChar(end);
    if (this.map.charAt(after) !== ')') return false;
    // The '(' may open the argument list of an enclosing call: f(g()).
    return !this.callParens.has(before);
  }

  /** Offsets of '(' that open argument lists. */
  private readonly callParens = new Set<number>();

  private expr(e: L.Expression): ElcExpr {
    return this.nest(e, () => this.exprInner(e));
  }

  private exprInner(e: L.Expression): ElcExpr {
    switch (e.type) {
      case 'NilLiteral': return ['k', null];
      case 'BooleanLiteral': return ['k', e.value];
      case 'NumericLiteral': {
        const r = checkNumericLiteral(e.raw);
        if (!r.ok) this.fail(e, r.message, r.hint);
        return numberNode(r.value) as ElcExpr;
      }
      case 'StringLiteral': return strConst(e.value);
      case 'VarargLiteral':
        if (!this.fn.va) this.fail(e, "cannot use '...' outside a vararg function");
        return ['va'];
      case 'Identifier': return this.resolve(e.name);
      case 'FunctionDeclaration': return this.functionExpr(e, 'anonymous', false);
      case 'TableConstructorExpression': {
        const fields: ElcField[] = e.fields.map((f, i) => {
          if (f.type === 'TableKey') return ['kv', this.expr(f.key), this.expr(f.value)];
          if (f.type === 'TableKeyString') return ['kv', strConst(f.key.name), this.expr(f.value)];
          return ['i', i === e.fields.length - 1 ? this.multiExpr(f.value) : this.expr(f.value)];
        });
        return ['tbl', fields];
      }
      case 'BinaryExpression':
      case 'LogicalExpression': {
        const op = BIN[e.operator];
        if (op === undefined) this.fail(e, `the operator '${e.operator}' is not part of EchoLua`, e.operator === '^' ? 'multiply integers explicitly' : undefined);
        return this.fold(op, this.expr(e.left), this.expr(e.right));
      }
      case 'UnaryExpression': {
        const op = UN[e.operator] as UnaryOp;
        const a = this.expr(e.argument);
        return this.foldUnary(op, a);
      }
      case 'MemberExpression':
        if (e.indexer === ':') this.fail(e, 'a method reference must be called');
        return ['ix', this.expr(e.base), strConst(e.identifier.name)];
      case 'IndexExpression':
        return ['ix', this.expr(e.base), this.expr(e.index)];
      case 'CallExpression':
        return this.call(e, e.base, e.arguments, true);
      case 'StringCallExpression':
        return this.call(e, e.base, [e.argument], false);
      case 'TableCallExpression':
        return this.call(e, e.base, [e.arguments], false);
    }
  }

  private call(node: L.Expression, base: L.Expression, args: L.Expression[], parenArgs: boolean): ElcExpr {
    if (parenArgs) this.callParens.add(this.map.nextTokenChar(rangeOf(base)[1]));
    if (base.type === 'MemberExpression' && base.indexer === ':') {
      const obj = this.expr(base.base);
      return ['self', obj, binToBytes(base.identifier.name), this.exprList(args)];
    }
    void node;
    return ['call', this.expr(base), this.exprList(args)];
  }

  private fold(op: BinaryOp, a: ElcExpr, b: ElcExpr): ElcExpr {
    const f = FOLDABLE[op];
    if (f) {
      const x = constOf(a);
      const y = constOf(b);
      if (x !== NOT_CONST && y !== NOT_CONST) {
        try {
          const n = numberNode(f(x, y));
          if (n) return n;
        } catch (err) {
          // A constant that fails (overflow, division by zero) fails when it runs, like any other expression.
          if (!(err instanceof LuaError)) throw err;
        }
      }
    }
    if (op === 'concat' && a[0] === 'k' && b[0] === 'k' && a[1] instanceof Uint8Array && b[1] instanceof Uint8Array) {
      const joined = new Uint8Array(a[1].length + b[1].length);
      joined.set(a[1]);
      joined.set(b[1], a[1].length);
      return ['k', joined];
    }
    return [op, a, b];
  }

  private foldUnary(op: UnaryOp, a: ElcExpr): ElcExpr {
    const x = constOf(a);
    if (x !== NOT_CONST && (op === 'neg' || op === 'bnot')) {
      try {
        const n = numberNode(op === 'neg' ? neg(x) : bnot(x));
        if (n) return n;
      } catch (err) {
        if (!(err instanceof LuaError)) throw err;
      }
    }
    return [op, a];
  }

  /** The ELC of a chunk, and the source line of each of its statements in statementsInOrder's order. */
  static run(chunk: L.Chunk, map: SourceMap): { ok: true; main: ElcProto; lines: number[] } | { ok: false; error: Diagnostic } {
    try {
      const lowerer = new Lowerer(map);
      const main = lowerer.lowerChunk(chunk);
      return { ok: true, main, lines: statementsInOrder(main).map((s) => lowerer.lines.get(s) ?? 0) };
    } catch (e) {
      if (e instanceof LowerError) return { ok: false, error: e.diagnostic };
      throw e;
    }
  }
}

function strConst(bin: string): ElcExpr {
  return ['k', binToBytes(bin)];
}

function nameOf(id: L.Identifier | L.MemberExpression | L.IndexExpression): string {
  if (id.type === 'Identifier') return id.name;
  if (id.type === 'MemberExpression') return `${nameOf(id.base as L.Identifier | L.MemberExpression)}${id.indexer}${id.identifier.name}`;
  return 'anonymous';
}
