/**
 * Strict shape check of decoded ELC. A compiled fold comes from a repository
 * a pusher controls, so nothing in it is trusted: every node, slot, upvalue
 * and `break` is checked before the VM builds a single closure, and
 * anything unexpected is refused with ARTIFACT_INVALID, never run.
 */
import { err, gateError, ok, type Result } from '../../core/result';
import { BINARY_OPS, ELC_FORMAT, LAT_OPS, UNARY_OPS, type ElcProgram } from './elc';
import { S64_MAX, S64_MIN } from '../../canon/integers';

/** Deeper IR is refused so that checking and compiling cannot exhaust the host stack. */
export const MAX_ELC_DEPTH = 200;
const MAX_SLOTS = 65536;

class Invalid {
  constructor(readonly message: string) {}
}

const BINARY: ReadonlySet<string> = new Set<string>(BINARY_OPS);
const UNARY: ReadonlySet<string> = new Set<string>(UNARY_OPS);
const LAT: ReadonlySet<string> = new Set<string>(LAT_OPS);

interface FnCtx {
  readonly ns: number;
  readonly boxed: ReadonlySet<number>;
  readonly nup: number;
  readonly va: boolean;
}

export function validateElc(value: unknown): Result<ElcProgram> {
  try {
    const top = record(value, 'elc', ['main', 'v']);
    if (top.v !== ELC_FORMAT) throw new Invalid(`elc.v is ${describe(top.v)}; this VM runs ELC format ${ELC_FORMAT} only`);
    checkProto(top.main, undefined, 'elc.main', 0);
    return ok(value as ElcProgram);
  } catch (e) {
    if (e instanceof Invalid) {
      return err(gateError('ARTIFACT_INVALID', `compiled EchoLua fold is malformed: ${e.message}`, {
        hint: 'recompile the fold from its source with `gatos foldc`; a compiled fold is never repaired or partly run',
      }));
    }
    throw e;
  }
}

function describe(v: unknown): string {
  if (v instanceof Uint8Array) return 'bytes';
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'a map' : `${typeof v} ${String(v)}`;
}

function record(v: unknown, where: string, keys: readonly string[]): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof Uint8Array) throw new Invalid(`${where} must be a map, found ${describe(v)}`);
  const have = Object.keys(v).sort();
  const want = [...keys].sort();
  if (have.length !== want.length || have.some((k, i) => k !== want[i])) {
    throw new Invalid(`${where} must have exactly the keys ${want.join(', ')}; found ${have.join(', ') || 'none'}`);
  }
  return v as Record<string, unknown>;
}

function nat(v: unknown, where: string, below = MAX_SLOTS + 1): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v >= below) throw new Invalid(`${where} must be an integer in [0, ${below}), found ${describe(v)}`);
  return v;
}

function arr(v: unknown, where: string): readonly unknown[] {
  if (!Array.isArray(v)) throw new Invalid(`${where} must be an array, found ${describe(v)}`);
  return v;
}

function checkProto(v: unknown, parent: FnCtx | undefined, where: string, depth: number): void {
  if (depth > MAX_ELC_DEPTH) throw new Invalid(`${where}: nested deeper than ${MAX_ELC_DEPTH}`);
  const p = record(v, where, ['body', 'boxed', 'name', 'np', 'ns', 'up', 'va']);
  if (typeof p.name !== 'string') throw new Invalid(`${where}.name must be text`);
  if (typeof p.va !== 'boolean') throw new Invalid(`${where}.va must be a boolean`);
  const ns = nat(p.ns, `${where}.ns`);
  nat(p.np, `${where}.np`, ns + 1);
  const boxed = new Set<number>();
  let prev = -1;
  for (const [i, s] of arr(p.boxed, `${where}.boxed`).entries()) {
    const slot = nat(s, `${where}.boxed[${i}]`, ns);
    if (slot <= prev) throw new Invalid(`${where}.boxed must be strictly increasing`);
    prev = slot;
    boxed.add(slot);
  }
  const ups = arr(p.up, `${where}.up`);
  if (parent === undefined && ups.length > 0) throw new Invalid(`${where}: the main chunk has no upvalues`);
  for (const [i, u] of ups.entries()) {
    const pair = arr(u, `${where}.up[${i}]`);
    if (pair.length !== 2 || (pair[0] !== 0 && pair[0] !== 1)) throw new Invalid(`${where}.up[${i}] must be [0|1, index]`);
    if (parent === undefined) continue;
    if (pair[0] === 0) {
      const slot = nat(pair[1], `${where}.up[${i}][1]`, parent.ns);
      if (!parent.boxed.has(slot)) throw new Invalid(`${where}.up[${i}] captures slot ${slot}, which the enclosing function does not box`);
    } else {
      nat(pair[1], `${where}.up[${i}][1]`, parent.nup);
    }
  }
  const ctx: FnCtx = { ns, boxed, nup: ups.length, va: p.va };
  checkBlock(p.body, ctx, `${where}.body`, false, depth + 1);
}

function checkBlock(v: unknown, f: FnCtx, where: string, inLoop: boolean, depth: number): void {
  if (depth > MAX_ELC_DEPTH) throw new Invalid(`${where}: nested deeper than ${MAX_ELC_DEPTH}`);
  for (const [i, s] of arr(v, where).entries()) checkStmt(s, f, `${where}[${i}]`, inLoop, depth + 1);
}

function node(v: unknown, where: string): readonly unknown[] {
  const a = arr(v, where);
  if (typeof a[0] !== 'string') throw new Invalid(`${where} must start with an operation name`);
  return a;
}

function arity(a: readonly unknown[], n: number, where: string): void {
  if (a.length !== n) throw new Invalid(`${where}: '${String(a[0])}' takes ${n - 1} operand(s), found ${a.length - 1}`);
}

function exprs(v: unknown, f: FnCtx, where: string, depth: number): void {
  for (const [i, e] of arr(v, where).entries()) checkExpr(e, f, `${where}[${i}]`, depth);
}

function checkStmt(v: unknown, f: FnCtx, where: string, inLoop: boolean, depth: number): void {
  const s = node(v, where);
  const op = s[0] as string;
  switch (op) {
    case 'local': {
      arity(s, 3, where);
      for (const [i, slot] of arr(s[1], `${where}[1]`).entries()) nat(slot, `${where}[1][${i}]`, f.ns);
      exprs(s[2], f, `${where}[2]`, depth);
      return;
    }
    case 'set': {
      arity(s, 3, where);
      const targets = arr(s[1], `${where}[1]`);
      if (targets.length === 0) throw new Invalid(`${where}: an assignment needs a target`);
      for (const [i, t] of targets.entries()) checkTarget(t, f, `${where}[1][${i}]`, depth);
      exprs(s[2], f, `${where}[2]`, depth);
      return;
    }
    case 'x': {
      arity(s, 2, where);
      const call = node(s[1], `${where}[1]`);
      if (call[0] !== 'call' && call[0] !== 'self') throw new Invalid(`${where}: only a call can stand as a statement`);
      checkExpr(s[1], f, `${where}[1]`, depth);
      return;
    }
    case 'if': {
      arity(s, 3, where);
      const arms = arr(s[1], `${where}[1]`);
      if (arms.length === 0) throw new Invalid(`${where}: 'if' needs at least one arm`);
      for (const [i, a] of arms.entries()) {
        const arm = arr(a, `${where}[1][${i}]`);
        if (arm.length !== 2) throw new Invalid(`${where}[1][${i}] must be [condition, block]`);
        checkExpr(arm[0], f, `${where}[1][${i}][0]`, depth);
        checkBlock(arm[1], f, `${where}[1][${i}][1]`, inLoop, depth);
      }
      checkBlock(s[2], f, `${where}[2]`, inLoop, depth);
      return;
    }
    case 'while':
      arity(s, 3, where);
      checkExpr(s[1], f, `${where}[1]`, depth);
      checkBlock(s[2], f, `${where}[2]`, true, depth);
      return;
    case 'repeat':
      arity(s, 3, where);
      checkBlock(s[1], f, `${where}[1]`, true, depth);
      checkExpr(s[2], f, `${where}[2]`, depth);
      return;
    case 'fornum':
      arity(s, 6, where);
      nat(s[1], `${where}[1]`, f.ns);
      for (let i = 2; i <= 4; i++) checkExpr(s[i], f, `${where}[${i}]`, depth);
      checkBlock(s[5], f, `${where}[5]`, true, depth);
      return;
    case 'forin': {
      arity(s, 4, where);
      const slots = arr(s[1], `${where}[1]`);
      if (slots.length === 0) throw new Invalid(`${where}: 'for in' needs a variable`);
      for (const [i, slot] of slots.entries()) nat(slot, `${where}[1][${i}]`, f.ns);
      const list = arr(s[2], `${where}[2]`);
      if (list.length === 0) throw new Invalid(`${where}: 'for in' needs an iterator expression`);
      exprs(list, f, `${where}[2]`, depth);
      checkBlock(s[3], f, `${where}[3]`, true, depth);
      return;
    }
    case 'ret':
      arity(s, 2, where);
      exprs(s[1], f, `${where}[1]`, depth);
      return;
    case 'break':
      arity(s, 1, where);
      if (!inLoop) throw new Invalid(`${where}: 'break' outside a loop`);
      return;
    case 'do':
      arity(s, 2, where);
      checkBlock(s[1], f, `${where}[1]`, inLoop, depth);
      return;
    case 'lat':
      arity(s, 6, where);
      if (typeof s[1] !== 'string' || !LAT.has(s[1])) throw new Invalid(`${where}[1]: 'lat' applies one of ${LAT_OPS.join(', ')}, found ${describe(s[1])}`);
      for (let i = 2; i <= 4; i++) checkExpr(s[i], f, `${where}[${i}]`, depth);
      nat(s[5], `${where}[5]`, f.ns);
      return;
    default:
      throw new Invalid(`${where}: unknown statement '${op}'`);
  }
}

function checkTarget(v: unknown, f: FnCtx, where: string, depth: number): void {
  const t = node(v, where);
  if (t[0] !== 'l' && t[0] !== 'u' && t[0] !== 'g' && t[0] !== 'ix') throw new Invalid(`${where}: '${String(t[0])}' cannot be assigned to`);
  checkExpr(v, f, where, depth);
}

function checkExpr(v: unknown, f: FnCtx, where: string, depth: number): void {
  if (depth > MAX_ELC_DEPTH) throw new Invalid(`${where}: nested deeper than ${MAX_ELC_DEPTH}`);
  const e = node(v, where);
  const op = e[0] as string;
  const d = depth + 1;
  switch (op) {
    case 'k': {
      arity(e, 2, where);
      const c = e[1];
      if (c === null || typeof c === 'boolean' || c instanceof Uint8Array) return;
      if (typeof c === 'number' && Number.isSafeInteger(c)) return;
      if (typeof c === 'bigint' && c <= S64_MAX && c >= S64_MIN && (c > BigInt(Number.MAX_SAFE_INTEGER) || c < -BigInt(Number.MAX_SAFE_INTEGER))) return;
      throw new Invalid(`${where}: a constant must be nil, a boolean, a 64-bit integer or bytes, found ${describe(c)}`);
    }
    case 'q': {
      arity(e, 2, where);
      const c = e[1];
      if ((typeof c === 'number' && Number.isSafeInteger(c)) || (typeof c === 'bigint' && c <= S64_MAX && c >= S64_MIN)) return;
      throw new Invalid(`${where}: a Q32.32 constant must be a 64-bit integer`);
    }
    case 'l':
      arity(e, 2, where);
      nat(e[1], `${where}[1]`, f.ns);
      return;
    case 'u':
      arity(e, 2, where);
      nat(e[1], `${where}[1]`, f.nup);
      return;
    case 'g':
      arity(e, 2, where);
      if (typeof e[1] !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(e[1])) throw new Invalid(`${where}: a global name must be an identifier`);
      return;
    case 'ix':
      arity(e, 3, where);
      checkExpr(e[1], f, `${where}[1]`, d);
      checkExpr(e[2], f, `${where}[2]`, d);
      return;
    case 'call':
      arity(e, 3, where);
      checkExpr(e[1], f, `${where}[1]`, d);
      exprs(e[2], f, `${where}[2]`, d);
      return;
    case 'self':
      arity(e, 4, where);
      checkExpr(e[1], f, `${where}[1]`, d);
      if (!(e[2] instanceof Uint8Array)) throw new Invalid(`${where}[2]: a method name must be bytes`);
      exprs(e[3], f, `${where}[3]`, d);
      return;
    case 'va':
      arity(e, 1, where);
      if (!f.va) throw new Invalid(`${where}: '...' in a function that takes no varargs`);
      return;
    case 'one':
      arity(e, 2, where);
      checkExpr(e[1], f, `${where}[1]`, d);
      return;
    case 'fn':
      arity(e, 2, where);
      checkProto(e[1], f, `${where}[1]`, d);
      return;
    case 'tbl':
      arity(e, 2, where);
      for (const [i, fv] of arr(e[1], `${where}[1]`).entries()) {
        const field = node(fv, `${where}[1][${i}]`);
        if (field[0] === 'i') {
          arity(field, 2, `${where}[1][${i}]`);
          checkExpr(field[1], f, `${where}[1][${i}][1]`, d);
        } else if (field[0] === 'kv') {
          arity(field, 3, `${where}[1][${i}]`);
          checkExpr(field[1], f, `${where}[1][${i}][1]`, d);
          checkExpr(field[2], f, `${where}[1][${i}][2]`, d);
        } else {
          throw new Invalid(`${where}[1][${i}]: a table field is ['i', value] or ['kv', key, value]`);
        }
      }
      return;
    default:
      if (BINARY.has(op)) {
        arity(e, 3, where);
        checkExpr(e[1], f, `${where}[1]`, d);
        checkExpr(e[2], f, `${where}[2]`, d);
        return;
      }
      if (UNARY.has(op)) {
        arity(e, 2, where);
        checkExpr(e[1], f, `${where}[1]`, d);
        return;
      }
      throw new Invalid(`${where}: unknown expression '${op}'`);
  }
}
