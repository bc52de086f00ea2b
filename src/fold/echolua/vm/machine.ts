/**
 * The state one running fold shares between its compiled closures: fuel,
 * allocation budget, call depth and the global environment. Fuel and memory
 * are budgets per invocation (the main chunk, init, one step per event,
 * emit), so how events are batched never changes a result.
 */
import { epochs, fail, LuaFunction, LuaTable, typeName, type FlatSource, type Value } from './values';

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
  /** 'load' while the main chunk runs; tables made then are read-only afterwards. */
  phase: 'load' | 'run' = 'load';
  /** The epoch of every table made before the load ended (the environment and libraries included). */
  private loadEpoch = ++epochs.current;
  readonly env = new LuaTable();
  /** The string library as the main chunk saw it, for s:method() calls. */
  stringLib: LuaTable | undefined;

  constructor(readonly limits: Limits = DEFAULT_LIMITS) {
    this.fuel = limits.fuel;
    this.mem = limits.memory;
  }

  /** Starts a new invocation with full budgets (`times` budgets: a whole-window fold's emit). */
  reset(times = 1): void {
    this.fuel = this.limits.fuel * times;
    this.mem = this.limits.memory * times;
    this.depth = 0;
    epochs.current++;
    epochs.writableAbove = this.phase === 'load' ? -1 : this.loadEpoch;
  }

  /** From now until the next reset, only tables made from here on may be written (emit). */
  protectExisting(): void {
    epochs.current++;
    epochs.writableAbove = epochs.current - 1;
  }

  charge(units: number): void {
    if ((this.fuel -= units) < 0) outOfFuel(this);
  }

  alloc(units: number): void {
    if ((this.mem -= units) < 0) outOfMemory(this);
  }

  newTable(): LuaTable {
    if ((this.mem -= 4) < 0) outOfMemory(this);
    return new LuaTable();
  }

  /** A table over a ready string-key record of `n` entries (built by the host, charged here). */
  tableFromStrs(strs: Record<string, Value>, n: number): LuaTable {
    if ((this.mem -= 4 + n) < 0) outOfMemory(this);
    return LuaTable.fromStrs(strs, n);
  }

  /** A table read in place from a flat payload of `n` fields: charged as tableFromStrs would charge it. */
  tableFromSource(src: FlatSource, n: number): LuaTable {
    if ((this.mem -= 4 + n) < 0) outOfMemory(this);
    return LuaTable.fromSource(src, n);
  }

  /** Charges for a string of `length` bytes about to be made. */
  allocString(length: number): void {
    // length / 16 without >>> 4, which wraps at 2^32 (string.rep can ask for more).
    if ((this.mem -= 1 + (length < 0x80000000 ? length >>> 4 : Math.floor(length / 16))) < 0) outOfMemory(this);
  }

  endLoad(): void {
    this.phase = 'run';
    // Everything made so far (libraries, the main chunk's tables) is load-time data.
    this.loadEpoch = epochs.current;
    epochs.current++;
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
