/**
 * The state one running fold shares between its compiled closures: fuel,
 * allocation budget, call depth and the global environment. Fuel and memory
 * are budgets per invocation (the main chunk, init, one step per event,
 * emit), so how events are batched never changes a result.
 */
import { fail, LuaFunction, LuaTable, typeName, type Value } from './values';

export interface Limits {
  /** IR steps plus builtin work units per invocation. */
  readonly fuel: number;
  /** Allocation units per invocation: a table costs 4, a new table slot 1, a string 1 + bytes/16. */
  readonly memory: number;
  /** Nested Lua calls. */
  readonly depth: number;
}

export const DEFAULT_LIMITS: Limits = { fuel: 20_000_000, memory: 4_000_000, depth: 200 };

export class Machine {
  fuel: number;
  mem: number;
  depth = 0;
  /** 'load' while the main chunk runs; tables made then are frozen afterwards. */
  phase: 'load' | 'run' = 'load';
  readonly env = new LuaTable();
  /** The string library as the main chunk saw it, for s:method() calls. */
  stringLib: LuaTable | undefined;
  /** Tables allocated during the load phase, frozen when it ends. */
  readonly loadTables: LuaTable[] = [];

  constructor(readonly limits: Limits = DEFAULT_LIMITS) {
    this.fuel = limits.fuel;
    this.mem = limits.memory;
  }

  /** Starts a new invocation with full budgets. */
  reset(): void {
    this.fuel = this.limits.fuel;
    this.mem = this.limits.memory;
    this.depth = 0;
  }

  charge(units: number): void {
    if ((this.fuel -= units) < 0) outOfFuel(this);
  }

  alloc(units: number): void {
    if ((this.mem -= units) < 0) outOfMemory(this);
  }

  newTable(): LuaTable {
    if ((this.mem -= 4) < 0) outOfMemory(this);
    const t = new LuaTable();
    if (this.phase === 'load') this.loadTables.push(t);
    return t;
  }

  /** A table over a ready string-key record of `n` entries (built by the host, charged here). */
  tableFromStrs(strs: Record<string, Value>, n: number): LuaTable {
    if ((this.mem -= 4 + n) < 0) outOfMemory(this);
    const t = LuaTable.fromStrs(strs, n);
    if (this.phase === 'load') this.loadTables.push(t);
    return t;
  }

  /** Charges for a string of `length` bytes about to be made. */
  allocString(length: number): void {
    if ((this.mem -= 1 + (length >>> 4)) < 0) outOfMemory(this);
  }

  endLoad(): void {
    this.phase = 'run';
    for (const t of this.loadTables) t.frozen = true;
    this.loadTables.length = 0;
  }

  call(fn: Value, args: Value[]): Value[] {
    if (fn instanceof LuaFunction) return fn.call(args);
    return fail('TYPE_ERROR', `attempt to call a ${typeName(fn)} value`);
  }
}

function outOfFuel(m: Machine): never {
  m.fuel = 0;
  fail('FUEL_EXHAUSTED', `fuel exhausted: the invocation took more than ${m.limits.fuel} steps`);
}

function outOfMemory(m: Machine): never {
  m.mem = 0;
  fail('MEMORY_EXHAUSTED', `memory exhausted: the invocation allocated more than ${m.limits.memory} units`);
}
