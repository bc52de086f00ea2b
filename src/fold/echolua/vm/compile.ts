/**
 * Turns validated ELC into JavaScript closures, once, at load time. Each
 * expression becomes `(frame) => value`, each statement `(frame) => signal`;
 * the hot paths (locals, constants, integer arithmetic) are specialized so a
 * fold runs at a small multiple of hand-written JS, never by re-reading IR.
 *
 * Fuel: entering a block charges its static size (statements plus
 * expression nodes, nested blocks and functions excluded), so every
 * iteration of a loop and every call pays for the IR it runs.
 */
import type { ElcBlock, ElcExpr, ElcProto, ElcStmt, ElcTarget, LatOp } from '../elc';
import { statementPositions } from '../statements';
import { add, band, bnot, bor, bxor, div, eq, idiv, isNumber, le, lt, mod, mul, neg, numberToString, shl, shr, sub, toQ } from './number';
import type { Machine } from './machine';
import { EventView, paramOnlyIndexed } from './event-view';
import { latticeApply, lwwApplyChecked } from './lattice';
import { bytesToBin, textToBin } from './strings';
import { fail, LuaError, LuaFunction, LuaTable, MAX_SAFE, Q, truthy, typeName, type Value } from './values';

class Box {
  constructor(public v: Value) {}
}

/**
 * One activation of a function. A function's closure keeps its last frame
 * and reuses it for the next call that is not nested in a running one, so a
 * call allocates nothing when arguments fit and one value is returned.
 */
class Frame {
  /** The returned values, or ONE when a single value is in `rv` (no array made). */
  ret: Value[] = EMPTY;
  rv: Value = undefined;
  constructor(
    readonly r: Value[],
    public va: Value[],
    readonly u: Box[],
  ) {}
}

type Expr = (f: Frame) => Value;
type Multi = (f: Frame) => Value[];
type Stmt = (f: Frame) => number;

const NORMAL = 0;
const BREAK = 1;
const RETURN = 2;
// eslint-disable-next-line no-restricted-syntax -- module state allowed: an empty sentinel the VM compares by identity and never writes into
const EMPTY: Value[] = [];
/** Marks a frame whose one return value is in `rv`; never handed out. */
// eslint-disable-next-line no-restricted-syntax -- module state allowed: a sentinel the VM compares by identity and never writes into
const ONE: Value[] = [];

interface FnInfo {
  readonly boxed: ReadonlySet<number>;
  /** Parameters read only as `param.<name>` (paramOnlyIndexed): the runtime may pass an EventView there. */
  readonly fieldOnly: ReadonlySet<number>;
}

/** Compiles the main chunk; calling the result runs it. */
export function compileProgram(m: Machine, main: ElcProto): LuaFunction {
  return new Compiler(m, statementPositions(main)).closure(main, [], undefined);
}

export function luaToString(v: Value): string {
  if (typeof v === 'string') return v;
  if (isNumber(v)) return numberToString(v);
  if (v === undefined) return 'nil';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  // Addresses would differ between runs: tables and functions print their type only.
  return typeName(v);
}

export function index(o: Value, k: Value, m: Machine): Value {
  if (o instanceof LuaTable) return o.get(k);
  if (typeof o === 'string' && m.stringLib) return m.stringLib.get(k);
  // Only where paramOnlyIndexed proved the event is read by constant field names alone.
  if (o instanceof EventView) return o.get(k);
  return fail('TYPE_ERROR', `attempt to index a ${typeName(o)} value${typeof k === 'string' ? ` (field '${k}')` : ''}`);
}

function concat(a: Value, b: Value, m: Machine): string {
  const x = typeof a === 'string' ? a : isNumber(a) ? numberToString(a) : fail('TYPE_ERROR', `attempt to concatenate a ${typeName(a)} value`);
  const y = typeof b === 'string' ? b : isNumber(b) ? numberToString(b) : fail('TYPE_ERROR', `attempt to concatenate a ${typeName(b)} value`);
  m.allocString(x.length + y.length);
  return x + y;
}

function len(v: Value): Value {
  if (typeof v === 'string') return v.length;
  if (v instanceof LuaTable) return v.length();
  return fail('TYPE_ERROR', `attempt to get length of a ${typeName(v)} value`);
}

function constValue(c: unknown): Value {
  if (c === null) return undefined;
  if (c instanceof Uint8Array) return bytesToBin(c);
  return c as Value;
}

/** Static fuel cost of an expression (nodes), not counting nested functions. */
function exprCost(e: ElcExpr): number {
  switch (e[0]) {
    case 'k': case 'q': case 'l': case 'u': case 'g': case 'va': case 'fn':
      return 1;
    case 'ix': return 1 + exprCost(e[1]) + exprCost(e[2]);
    case 'call': return 1 + exprCost(e[1]) + sumCost(e[2]);
    case 'self': return 1 + exprCost(e[1]) + sumCost(e[3]);
    case 'one': return exprCost(e[1]);
    case 'tbl': return 1 + e[1].reduce((n, fd) => n + (fd[0] === 'i' ? exprCost(fd[1]) : exprCost(fd[1]) + exprCost(fd[2])), 0);
    default:
      return e.length === 3 ? 1 + exprCost(e[1]) + exprCost(e[2] as ElcExpr) : 1 + exprCost(e[1] as ElcExpr);
  }
}

function sumCost(es: readonly ElcExpr[]): number {
  let n = 0;
  for (const e of es) n += exprCost(e);
  return n;
}

function stmtCost(s: ElcStmt): number {
  switch (s[0]) {
    case 'local': return 1 + sumCost(s[2]);
    case 'set': return 1 + sumCost(s[2]) + s[1].reduce((n, t) => n + (t[0] === 'ix' ? exprCost(t[1]) + exprCost(t[2]) : 0), 0);
    case 'x': return 1 + exprCost(s[1]);
    case 'if': return 1 + s[1].reduce((n, arm) => n + exprCost(arm[0]), 0);
    case 'while': return 1;
    case 'repeat': return 1;
    case 'fornum': return 1 + exprCost(s[2]) + exprCost(s[3]) + exprCost(s[4]);
    case 'forin': return 1 + sumCost(s[2]);
    case 'ret': return 1 + sumCost(s[1]);
    case 'lat': return latCost(s[1]) + exprCost(s[2]) + exprCost(s[3]) + exprCost(s[4]);
    default: return 1;
  }
}

/**
 * The fuel of a 'lat' statement besides its three operands: the statement, the reducer's own unit (what
 * the library function charges when called) and one per event field it reads (lww: ulid, journal,
 * commit; the counters: journal). Static, like every other statement's cost.
 */
function latCost(op: LatOp): number {
  return op === 'lww' ? 5 : op === 'gcount' || op === 'pncount' ? 3 : 2;
}

/** Text that is its own byte string (ASCII) and a valid stamp part (no NUL). */
// eslint-disable-next-line no-control-regex -- bytes 1..127: ASCII without NUL
const PLAIN_PART = /^[\x01-\x7f]*$/;

function isMulti(e: ElcExpr): boolean {
  return e[0] === 'call' || e[0] === 'self' || e[0] === 'va';
}

class Compiler {
  private fn: FnInfo = { boxed: new Set(), fieldOnly: new Set() };

  constructor(
    private readonly m: Machine,
    private readonly positions: ReadonlyMap<ElcStmt, number>,
  ) {}

  closure(p: ElcProto, ups: Box[], _parent: FnInfo | undefined): LuaFunction {
    return this.protoFactory(p)(ups);
  }

  /** Compiles a function body once; the result makes a closure over given upvalue boxes. */
  private protoFactory(p: ElcProto): (ups: Box[]) => LuaFunction {
    const saved = this.fn;
    let fieldOnly = 0;
    const viewSlots = new Set<number>();
    for (let i = 0; i < p.np && i < 31; i++) {
      if (paramOnlyIndexed(p, i)) {
        fieldOnly |= 1 << i;
        viewSlots.add(i);
      }
    }
    this.fn = { boxed: new Set(p.boxed), fieldOnly: viewSlots };
    const body = this.block(p.body);
    const boxedParams: boolean[] = [];
    for (let i = 0; i < p.np; i++) boxedParams.push(this.fn.boxed.has(i));
    this.fn = saved;
    const m = this.m;
    const { np, ns, va, name } = p;
    const anyBoxedParam = boxedParams.some((b) => b);
    const maxDepth = m.limits.depth;
    return (ups) => {
      // A frame no running call of this closure uses (undefined while one does: recursion gets a new frame).
      let spare: Frame | undefined = undefined;
      /** Runs the body; the frame comes back holding the result, to be read and then released. */
      const run = (args: Value[]): Frame => {
        if (++m.depth > maxDepth) fail('STACK_OVERFLOW', `stack overflow: more than ${maxDepth} nested calls (in '${name}')`);
        let f = spare;
        if (f === undefined) f = new Frame(new Array<Value>(ns), EMPTY, ups);
        else spare = undefined;
        const r = f.r;
        const n = args.length < np ? args.length : np;
        for (let i = 0; i < n; i++) r[i] = args[i];
        if (anyBoxedParam) for (let i = 0; i < np; i++) if (boxedParams[i]) r[i] = new Box(r[i]);
        if (va && args.length > np) f.va = args.slice(np);
        if (body(f) !== RETURN) f.ret = EMPTY;
        m.depth--;
        return f;
      };
      /** Clears the frame (a later call starts with nil locals, and it keeps no garbage alive) and keeps it. */
      const release = (f: Frame): void => {
        const r = f.r;
        for (let i = 0; i < ns; i++) r[i] = undefined;
        f.va = EMPTY;
        f.ret = EMPTY;
        f.rv = undefined;
        spare = f;
      };
      return new LuaFunction(
        name,
        (args) => {
          const f = run(args);
          const ret = f.ret;
          const out = ret === ONE ? [f.rv] : ret;
          release(f);
          return out;
        },
        fieldOnly,
        (args) => {
          const f = run(args);
          const ret = f.ret;
          const out = ret === ONE ? f.rv : ret[0];
          release(f);
          return out;
        },
      );
    };
  }

  // ------------------------------------------------------------ blocks

  private block(b: ElcBlock): Stmt {
    const m = this.m;
    const stmts = b.map((s) => this.stmt(s));
    const at = b.map((s) => this.positions.get(s) ?? -1);
    let cost = 1;
    for (const s of b) cost += stmtCost(s);
    const n = stmts.length;
    if (n === 0) return () => ((m.fuel -= cost) < 0 ? (m.charge(0), NORMAL) : NORMAL);
    // A try around the statements costs nothing until one throws; the innermost block names the statement.
    if (n === 1) {
      const s0 = stmts[0] as Stmt;
      return (f) => {
        if ((m.fuel -= cost) < 0) m.charge(0);
        try {
          return s0(f);
        } catch (e) {
          throw tagged(e, at[0] as number);
        }
      };
    }
    if (n === 2) {
      const s0 = stmts[0] as Stmt;
      const s1 = stmts[1] as Stmt;
      return (f) => {
        if ((m.fuel -= cost) < 0) m.charge(0);
        let i = 0;
        try {
          const s = s0(f);
          if (s !== NORMAL) return s;
          i = 1;
          return s1(f);
        } catch (e) {
          throw tagged(e, at[i] as number);
        }
      };
    }
    return (f) => {
      if ((m.fuel -= cost) < 0) m.charge(0);
      let i = 0;
      try {
        for (; i < n; i++) {
          const s = (stmts[i] as Stmt)(f);
          if (s !== NORMAL) return s;
        }
      } catch (e) {
        throw tagged(e, at[i] as number);
      }
      return NORMAL;
    };
  }

  // ------------------------------------------------------------ statements

  private stmt(s: ElcStmt): Stmt {
    switch (s[0]) {
      case 'local': return this.localStmt(s[1], s[2]);
      case 'set': return this.setStmt(s[1], s[2]);
      case 'x': {
        const call = this.multi(s[1]);
        return (f) => {
          call(f);
          return NORMAL;
        };
      }
      case 'if': return this.ifStmt(s[1], s[2]);
      case 'while': {
        const cond = this.expr(s[1]);
        const body = this.block(s[2]);
        const m = this.m;
        return (f) => {
          for (;;) {
            if ((m.fuel -= 1) < 0) m.charge(0);
            if (!truthy(cond(f))) return NORMAL;
            const r = body(f);
            if (r === BREAK) return NORMAL;
            if (r === RETURN) return RETURN;
          }
        };
      }
      case 'repeat': {
        const body = this.block(s[1]);
        const cond = this.expr(s[2]);
        return (f) => {
          for (;;) {
            const r = body(f);
            if (r === BREAK) return NORMAL;
            if (r === RETURN) return RETURN;
            if (truthy(cond(f))) return NORMAL;
          }
        };
      }
      case 'fornum': return this.forNum(s[1], s[2], s[3], s[4], s[5]);
      case 'forin': return this.forIn(s[1], s[2], s[3]);
      case 'ret': {
        const list = s[1];
        if (list.length === 1 && !isMulti(list[0] as ElcExpr)) {
          const e = this.expr(list[0] as ElcExpr);
          return (f) => {
            f.rv = e(f);
            f.ret = ONE;
            return RETURN;
          };
        }
        const vals = this.list(list);
        return (f) => {
          f.ret = vals(f);
          return RETURN;
        };
      }
      case 'break': return () => BREAK;
      case 'do': return this.block(s[1]);
      case 'lat': return this.latStmt(s[1], s[2], s[3], s[4], s[5]);
    }
  }

  /**
   * The superinstruction: one reducer update of vm/lattice.ts (latticeApply, the code lattice.<op> runs), its
   * operands evaluated in the order of the call it replaces, then the event fields it needs, read from the
   * event in place (an EventView's host event; a table or any other value is indexed as `event.<name>` is).
   */
  private latStmt(op: LatOp, stE: ElcExpr, keyE: ElcExpr, valE: ElcExpr, slot: number): Stmt {
    const m = this.m;
    const st = this.expr(stE);
    const key = this.expr(keyE);
    const val = this.expr(valE);
    const apply = latticeApply(m, op);
    if (op === 'min' || op === 'max') {
      return (f) => {
        const r = st(f);
        const k = key(f);
        apply(r, k, val(f), undefined, undefined, undefined);
        return NORMAL;
      };
    }
    const boxed = this.fn.boxed.has(slot);
    const field = (name: string): ((o: Value) => Value) => {
      const read = EventView.reader(name);
      return (o) => (o instanceof EventView ? read(o) : o instanceof LuaTable ? o.getStr(name) : index(o, name, m));
    };
    const journal = field('journal');
    if (op === 'gcount' || op === 'pncount') {
      return (f) => {
        const r = st(f);
        const k = key(f);
        const v = val(f);
        const ev = boxed ? (f.r[slot] as Box).v : f.r[slot];
        apply(r, k, v, journal(ev), undefined, undefined);
        return NORMAL;
      };
    }
    const ulid = field('ulid');
    const commit = field('commit');
    const checked = lwwApplyChecked(m);
    // The journal's byte string repeats (the view caches it): whether it holds a NUL is known after the first look.
    let lastJournal: Value = undefined;
    let journalPlain = false;
    return (f) => {
      const r = st(f);
      const k = key(f);
      const v = val(f);
      const ev = boxed ? (f.r[slot] as Box).v : f.r[slot];
      if (ev instanceof EventView) {
        // ASCII without NUL is its own byte string and a valid stamp part: one test instead of a conversion and a check.
        const host = ev.host();
        const u = host.ulid;
        const j = journal(ev);
        const c = host.commit;
        if (j !== lastJournal) {
          lastJournal = j;
          journalPlain = typeof j === 'string' && !j.includes('\0');
        }
        if (journalPlain && typeof u === 'string' && typeof c === 'string' && PLAIN_PART.test(u) && PLAIN_PART.test(c)) checked(r, k, v, u, j, c);
        else apply(r, k, v, textToBin(u), j, textToBin(c));
        return NORMAL;
      }
      const u = ulid(ev);
      const j = journal(ev);
      apply(r, k, v, u, j, commit(ev));
      return NORMAL;
    };
  }

  private assignSlot(slot: number): (f: Frame, v: Value) => void {
    if (this.fn.boxed.has(slot)) {
      return (f, v) => {
        f.r[slot] = new Box(v);
      };
    }
    return (f, v) => {
      f.r[slot] = v;
    };
  }

  private localStmt(slots: readonly number[], exprs: readonly ElcExpr[]): Stmt {
    if (slots.length === 1 && exprs.length === 1 && !isMulti(exprs[0] as ElcExpr)) {
      const slot = slots[0] as number;
      const e = this.expr(exprs[0] as ElcExpr);
      if (this.fn.boxed.has(slot)) {
        return (f) => {
          f.r[slot] = new Box(e(f));
          return NORMAL;
        };
      }
      return (f) => {
        f.r[slot] = e(f);
        return NORMAL;
      };
    }
    const vals = this.adjusted(exprs, slots.length);
    const sets = slots.map((s) => this.assignSlot(s));
    return (f) => {
      const v = vals(f);
      for (let i = 0; i < sets.length; i++) (sets[i] as (f: Frame, v: Value) => void)(f, v[i]);
      return NORMAL;
    };
  }

  /** A target compiles to a two-phase store: prepare (evaluate table and key) then store. */
  private target(t: ElcTarget): { prep: (f: Frame) => [Value, Value] | undefined; store: (f: Frame, p: [Value, Value] | undefined, v: Value) => void } {
    const m = this.m;
    switch (t[0]) {
      case 'l': {
        const slot = t[1];
        if (this.fn.boxed.has(slot)) {
          return { prep: () => undefined, store: (f, _p, v) => void ((f.r[slot] as Box).v = v) };
        }
        return { prep: () => undefined, store: (f, _p, v) => void (f.r[slot] = v) };
      }
      case 'u': {
        const i = t[1];
        return { prep: () => undefined, store: (f, _p, v) => void ((f.u[i] as Box).v = v) };
      }
      case 'g': {
        const name = t[1];
        return { prep: () => undefined, store: (_f, _p, v) => setGlobal(m, name, v) };
      }
      case 'ix': {
        const o = this.expr(t[1]);
        const k = this.expr(t[2]);
        return { prep: (f) => [o(f), k(f)], store: (_f, p, v) => setIndex(m, (p as [Value, Value])[0], (p as [Value, Value])[1], v) };
      }
    }
  }

  private setStmt(targets: readonly ElcTarget[], exprs: readonly ElcExpr[]): Stmt {
    const m = this.m;
    if (targets.length === 1 && exprs.length === 1 && !isMulti(exprs[0] as ElcExpr)) {
      const t = targets[0] as ElcTarget;
      const e = this.expr(exprs[0] as ElcExpr);
      switch (t[0]) {
        case 'l': {
          const slot = t[1];
          if (this.fn.boxed.has(slot)) {
            return (f) => {
              (f.r[slot] as Box).v = e(f);
              return NORMAL;
            };
          }
          return (f) => {
            f.r[slot] = e(f);
            return NORMAL;
          };
        }
        case 'ix': {
          const o = this.expr(t[1]);
          const k = this.expr(t[2]);
          return (f) => {
            const obj = o(f);
            const key = k(f);
            setIndex(m, obj, key, e(f));
            return NORMAL;
          };
        }
        default:
          break;
      }
    }
    const ts = targets.map((t) => this.target(t));
    const vals = this.adjusted(exprs, targets.length);
    return (f) => {
      const preps = ts.map((t) => t.prep(f));
      const v = vals(f);
      for (let i = 0; i < ts.length; i++) (ts[i] as ReturnType<Compiler['target']>).store(f, preps[i], v[i]);
      return NORMAL;
    };
  }

  private ifStmt(arms: readonly (readonly [ElcExpr, ElcBlock])[], orElse: ElcBlock): Stmt {
    const conds = arms.map((a) => this.expr(a[0]));
    const blocks = arms.map((a) => this.block(a[1]));
    const other = orElse.length > 0 ? this.block(orElse) : undefined;
    if (conds.length === 1) {
      const c = conds[0] as Expr;
      const b = blocks[0] as Stmt;
      if (other === undefined) return (f) => (truthy(c(f)) ? b(f) : NORMAL);
      return (f) => (truthy(c(f)) ? b(f) : other(f));
    }
    const n = conds.length;
    return (f) => {
      for (let i = 0; i < n; i++) if (truthy((conds[i] as Expr)(f))) return (blocks[i] as Stmt)(f);
      return other === undefined ? NORMAL : other(f);
    };
  }

  private forNum(slot: number, startE: ElcExpr, limitE: ElcExpr, stepE: ElcExpr, bodyB: ElcBlock): Stmt {
    const start = this.expr(startE);
    const limit = this.expr(limitE);
    const step = this.expr(stepE);
    const body = this.block(bodyB);
    const boxed = this.fn.boxed.has(slot);
    return (f) => {
      const a = start(f);
      let lim = limit(f);
      const st = step(f);
      if (!isNumber(a)) fail('TYPE_ERROR', `'for' initial value must be a number`);
      if (!isNumber(lim)) fail('TYPE_ERROR', `'for' limit must be a number`);
      if (!isNumber(st)) fail('TYPE_ERROR', `'for' step must be a number`);
      if (eq(st, 0)) fail('RUNTIME', `'for' step is zero`);
      if (typeof a === 'number' && typeof st === 'number' && lim instanceof Q) {
        // Lua 5.4: an integer loop with a fractional limit clips the limit to an integer.
        lim = st > 0 ? Number(lim.raw >> 32n) : Number(-((-lim.raw) >> 32n));
      }
      if (typeof a === 'number' && typeof lim === 'number' && typeof st === 'number') {
        const r = f.r;
        if (st > 0) {
          for (let i = a; i <= lim; i += st) {
            r[slot] = boxed ? new Box(i) : i;
            const s = body(f);
            if (s === BREAK) break;
            if (s === RETURN) return RETURN;
          }
        } else {
          for (let i = a; i >= lim; i += st) {
            r[slot] = boxed ? new Box(i) : i;
            const s = body(f);
            if (s === BREAK) break;
            if (s === RETURN) return RETURN;
          }
        }
        return NORMAL;
      }
      // General path: 64-bit integers beyond 2^53, or Q32.32 loops.
      const anyQ = a instanceof Q || lim instanceof Q || st instanceof Q;
      let i: Value = anyQ && !(a instanceof Q) ? toQ(a as number | bigint) : a;
      const up = lt(0, st);
      for (;;) {
        if (up ? !le(i, lim) : !le(lim, i)) break;
        f.r[slot] = boxed ? new Box(i) : i;
        const s = body(f);
        if (s === BREAK) return NORMAL;
        if (s === RETURN) return RETURN;
        // Stop before stepping past the 64-bit range instead of overflowing (Lua 5.4 never overflows a loop counter).
        if (up ? lt(sub(lim, i), st) : lt(st, sub(lim, i))) break;
        i = add(i, st);
      }
      return NORMAL;
    };
  }

  private forIn(slots: readonly number[], exprs: readonly ElcExpr[], bodyB: ElcBlock): Stmt {
    const init = this.adjusted(exprs, 3);
    const body = this.block(bodyB);
    const sets = slots.map((s) => this.assignSlot(s));
    const n = sets.length;
    const m = this.m;
    return (f) => {
      const first = init(f);
      const fn = first[0];
      const state = first[1];
      let control = first[2];
      for (;;) {
        const rs = m.call(fn, [state, control]);
        const v0 = rs[0];
        if (v0 === undefined) return NORMAL;
        control = v0;
        for (let i = 0; i < n; i++) (sets[i] as (f: Frame, v: Value) => void)(f, rs[i]);
        const s = body(f);
        if (s === BREAK) return NORMAL;
        if (s === RETURN) return RETURN;
      }
    };
  }

  // ------------------------------------------------------------ expression lists

  /** All values of a list, the last expression expanded. */
  private list(exprs: readonly ElcExpr[]): Multi {
    if (exprs.length === 0) return () => EMPTY;
    const last = exprs[exprs.length - 1] as ElcExpr;
    const heads = exprs.slice(0, -1).map((e) => this.expr(e));
    if (!isMulti(last)) {
      const all = [...heads, this.expr(last)];
      if (all.length === 1) {
        const e0 = all[0] as Expr;
        return (f) => [e0(f)];
      }
      if (all.length === 2) {
        const e0 = all[0] as Expr;
        const e1 = all[1] as Expr;
        return (f) => {
          const v0 = e0(f);
          return [v0, e1(f)];
        };
      }
      // Array literals up to six arguments (a lowered YAML LWW call has six): packed, and no closure per call as map's.
      if (all.length <= 6) {
        const [e0, e1, e2, e3, e4, e5] = all as [Expr, Expr, Expr, Expr?, Expr?, Expr?];
        if (e3 === undefined) return (f) => [e0(f), e1(f), e2(f)];
        if (e4 === undefined) return (f) => [e0(f), e1(f), e2(f), e3(f)];
        if (e5 === undefined) return (f) => [e0(f), e1(f), e2(f), e3(f), e4(f)];
        return (f) => [e0(f), e1(f), e2(f), e3(f), e4(f), e5(f)];
      }
      return (f) => all.map((e) => e(f));
    }
    const tail = this.multi(last);
    if (heads.length === 0) return tail;
    return (f) => {
      const out: Value[] = [];
      for (const h of heads) out.push(h(f));
      const rest = tail(f);
      for (const v of rest) out.push(v);
      return out;
    };
  }

  /** Values of a list adjusted to `want` (missing ones nil). */
  private adjusted(exprs: readonly ElcExpr[], want: number): Multi {
    const all = this.list(exprs);
    return (f) => {
      const v = all(f);
      if (v.length >= want) return v;
      const out = v.slice();
      while (out.length < want) out.push(undefined);
      return out;
    };
  }

  // ------------------------------------------------------------ expressions

  /** An expression that can give several values (a call or '...'). */
  private multi(e: ElcExpr): Multi {
    const m = this.m;
    switch (e[0]) {
      case 'va':
        return (f) => f.va;
      case 'call': {
        const fn = this.expr(e[1]);
        const args = this.list(e[2]);
        return (f) => {
          const callee = fn(f);
          const a = args(f);
          if (callee instanceof LuaFunction) return callee.call(a);
          return fail('TYPE_ERROR', `attempt to call a ${typeName(callee)} value`);
        };
      }
      case 'self': {
        const obj = this.expr(e[1]);
        const name = bytesToBin(e[2]);
        const args = this.list(e[3]);
        return (f) => {
          const o = obj(f);
          const callee = index(o, name, m);
          const a = args(f);
          if (callee instanceof LuaFunction) return callee.call([o, ...a]);
          return fail('TYPE_ERROR', `attempt to call a ${typeName(callee)} value (method '${name}')`);
        };
      }
      default: {
        const one = this.expr(e);
        return (f) => [one(f)];
      }
    }
  }

  private expr(e: ElcExpr): Expr {
    const m = this.m;
    switch (e[0]) {
      case 'k': {
        const v = constValue(e[1]);
        return () => v;
      }
      case 'q': {
        const v = new Q(BigInt(e[1]));
        return () => v;
      }
      case 'l': {
        const slot = e[1];
        if (this.fn.boxed.has(slot)) return (f) => (f.r[slot] as Box).v;
        return (f) => f.r[slot];
      }
      case 'u': {
        const i = e[1];
        return (f) => (f.u[i] as Box).v;
      }
      case 'g': {
        const name = e[1];
        const env = m.env;
        return () => env.getStr(name);
      }
      case 'ix': {
        const o = this.expr(e[1]);
        const kNode = e[2];
        if (kNode[0] === 'k' && kNode[1] instanceof Uint8Array) {
          const key = bytesToBin(kNode[1]);
          const on = e[1];
          if (on[0] === 'l' && this.fn.fieldOnly.has(on[1])) {
            // A field of a parameter the runtime may pass as an EventView: read the view's field directly.
            const slot = on[1];
            const read = EventView.reader(key);
            return (f) => {
              const obj = f.r[slot];
              if (obj instanceof EventView) return read(obj);
              return obj instanceof LuaTable ? obj.getStr(key) : index(obj, key, m);
            };
          }
          return (f) => {
            const obj = o(f);
            return obj instanceof LuaTable ? obj.getStr(key) : index(obj, key, m);
          };
        }
        const k = this.expr(kNode);
        return (f) => {
          const obj = o(f);
          const key = k(f);
          return obj instanceof LuaTable ? obj.get(key) : index(obj, key, m);
        };
      }
      case 'call': {
        // One value wanted: the callee need not build a result array.
        const fn = this.expr(e[1]);
        const args = this.list(e[2]);
        return (f) => {
          const callee = fn(f);
          const a = args(f);
          if (callee instanceof LuaFunction) return callee.call1(a);
          return fail('TYPE_ERROR', `attempt to call a ${typeName(callee)} value`);
        };
      }
      case 'self':
      case 'va': {
        const many = this.multi(e);
        return (f) => many(f)[0];
      }
      case 'one': return this.expr(e[1]);
      case 'fn': {
        const proto = e[1];
        const make = this.protoFactory(proto);
        const caps = proto.up;
        return (f) => {
          const ups: Box[] = new Array<Box>(caps.length);
          for (let i = 0; i < caps.length; i++) {
            const c = caps[i] as readonly [0 | 1, number];
            ups[i] = (c[0] === 0 ? f.r[c[1]] : f.u[c[1]]) as Box;
          }
          m.alloc(2);
          return make(ups);
        };
      }
      case 'tbl': return this.table(e[1]);
      case 'and': {
        const a = this.expr(e[1]);
        const b = this.expr(e[2]);
        return (f) => {
          const x = a(f);
          return x === undefined || x === false ? x : b(f);
        };
      }
      case 'or': {
        const a = this.expr(e[1]);
        const b = this.expr(e[2]);
        return (f) => {
          const x = a(f);
          return x === undefined || x === false ? b(f) : x;
        };
      }
      case 'not': {
        const a = this.expr(e[1]);
        return (f) => {
          const x = a(f);
          return x === undefined || x === false;
        };
      }
      case 'neg': {
        const a = this.expr(e[1]);
        return (f) => neg(a(f));
      }
      case 'len': {
        const a = this.expr(e[1]);
        return (f) => len(a(f));
      }
      case 'bnot': {
        const a = this.expr(e[1]);
        return (f) => bnot(a(f));
      }
      case 'add': return this.arith(e[1], e[2], add, (x, y) => x + y);
      case 'sub': return this.arith(e[1], e[2], sub, (x, y) => x - y);
      case 'mul': return this.binary(e[1], e[2], mul);
      case 'div': return this.binary(e[1], e[2], div);
      case 'idiv': return this.binary(e[1], e[2], idiv);
      case 'mod': return this.binary(e[1], e[2], mod);
      case 'band': return this.binary(e[1], e[2], band);
      case 'bor': return this.binary(e[1], e[2], bor);
      case 'bxor': return this.binary(e[1], e[2], bxor);
      case 'shl': return this.binary(e[1], e[2], shl);
      case 'shr': return this.binary(e[1], e[2], shr);
      case 'concat': return this.binary(e[1], e[2], (x, y) => concat(x, y, m));
      case 'eq': return this.binary(e[1], e[2], (x, y) => x === y || eq(x, y));
      case 'ne': return this.binary(e[1], e[2], (x, y) => x !== y && !eq(x, y));
      case 'lt': return this.binary(e[1], e[2], (x, y) => lt(x, y));
      case 'le': return this.binary(e[1], e[2], (x, y) => le(x, y));
      case 'gt': return this.binary(e[1], e[2], (x, y) => lt(y, x));
      case 'ge': return this.binary(e[1], e[2], (x, y) => le(y, x));
    }
  }

  private binary(ae: ElcExpr, be: ElcExpr, op: (x: Value, y: Value) => Value): Expr {
    const a = this.expr(ae);
    const b = this.expr(be);
    return (f) => {
      const x = a(f);
      return op(x, b(f));
    };
  }

  /** + and - with the small-integer case inline and a constant right operand folded in. */
  private arith(ae: ElcExpr, be: ElcExpr, slow: (x: Value, y: Value) => Value, fast: (x: number, y: number) => number): Expr {
    const a = this.expr(ae);
    if (be[0] === 'k' && typeof be[1] === 'number') {
      const c = be[1];
      return (f) => {
        const x = a(f);
        if (typeof x === 'number') {
          const r = fast(x, c);
          if (r <= MAX_SAFE && r >= -MAX_SAFE) return r;
        }
        return slow(x, c);
      };
    }
    const b = this.expr(be);
    return (f) => {
      const x = a(f);
      const y = b(f);
      if (typeof x === 'number' && typeof y === 'number') {
        const r = fast(x, y);
        if (r <= MAX_SAFE && r >= -MAX_SAFE) return r;
      }
      return slow(x, y);
    };
  }

  private table(fields: readonly (readonly ['i', ElcExpr] | readonly ['kv', ElcExpr, ElcExpr])[]): Expr {
    const m = this.m;
    type Step = (f: Frame, t: LuaTable, pos: number) => number;
    const steps: Step[] = fields.map((fd, idx) => {
      if (fd[0] === 'kv') {
        const k = this.expr(fd[1]);
        const v = this.expr(fd[2]);
        return (f, t, pos) => {
          const key = k(f);
          const val = v(f);
          if (key === undefined) fail('TYPE_ERROR', 'table index is nil');
          if (val !== undefined && t.set(key, val) !== 0) m.alloc(1);
          return pos;
        };
      }
      if (idx === fields.length - 1 && isMulti(fd[1])) {
        const many = this.multi(fd[1]);
        return (f, t, pos) => {
          const vs = many(f);
          for (const v of vs) {
            if (v !== undefined && t.set(pos, v) !== 0) m.alloc(1);
            pos++;
          }
          return pos;
        };
      }
      const v = this.expr(fd[1]);
      return (f, t, pos) => {
        const val = v(f);
        if (val !== undefined && t.set(pos, val) !== 0) m.alloc(1);
        return pos + 1;
      };
    });
    return (f) => {
      const t = m.newTable();
      let pos = 1;
      for (const s of steps) pos = s(f, t, pos);
      return t;
    };
  }
}

/** Names the failing statement on a VM error not yet named (an error from a fuel check before the first statement names the block's first). */
function tagged(e: unknown, stmt: number): unknown {
  if (e instanceof LuaError && e.stmt === undefined && stmt >= 0) e.stmt = stmt;
  return e;
}

export function setIndex(m: Machine, o: Value, k: Value, v: Value): void {
  if (o instanceof LuaTable) {
    if (o.set(k, v) !== 0 && (m.mem -= 1) < 0) m.alloc(0);
    return;
  }
  fail('TYPE_ERROR', `attempt to index a ${typeName(o)} value${typeof k === 'string' ? ` (field '${k}')` : ''}`);
}

function setGlobal(m: Machine, name: string, v: Value): void {
  if (m.phase !== 'load') fail('FROZEN', `attempt to assign the global '${name}' after load (globals would be hidden state outside the fold state)`);
  if (m.env.set(name, v) !== 0) m.alloc(1);
}
