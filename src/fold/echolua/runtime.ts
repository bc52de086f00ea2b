/**
 * A loaded EchoLua fold as a FoldRuntime. Loading validates the IR, builds
 * the closures, runs the main chunk (which defines init, step and emit),
 * freezes everything it made, and runs init() once. Each step event and each
 * emit is one invocation with fresh fuel and memory budgets, so batching
 * never changes a result.
 */
import type { PrefixedDigest } from '../../canon/digest';
import { canonicalJson, checkCanonicalJson, type JsonValue } from '../../canon/jcs';
import { err, gateError, ok, type GateError, type Result } from '../../core/result';
import type { EmittedFiles, FoldEvent, FoldRuntime } from '../contract';
import { FOLD_ENGINE } from '../engine-id';
import type { ElcProgram } from './elc';
import { referencesGlobal, RNG_GLOBAL } from './rng-use';
import { checkState, decodeState, encodeState, stateReader } from './state';
import { inputToLua, luaToJson } from './vm/bridge';
import { compileProgram, setIndex } from './vm/compile';
import { DEFAULT_LIMITS, Machine, type Limits } from './vm/machine';
import { EnvelopeCache, EventView } from './vm/event-view';
import { fastCanonicalJson } from './vm/emit-direct';
import { installStdlib } from './vm/stdlib';
import { binToText, textToBin } from './vm/strings';
import { LuaError, LuaFunction, LuaTable, STR_PROTO, typeName, type Value } from './vm/values';

/** The state a runtime hands out. `step` consumes it: a consumed state cannot be stepped or emitted again. */
export class EchoState {
  consumed = false;
  constructor(readonly value: Value) {}
}

/** Turns anything thrown while running a fold into an error value; nothing escapes as an exception. */
export function runtimeError(e: unknown, where: string, origin?: StatementOrigin): GateError {
  if (e instanceof LuaError) {
    const place = e.stmt === undefined || origin === undefined ? undefined : origin(e.stmt);
    return gateError('FOLD_ERROR', `${e.sub}: ${e.message} (in ${where}${place === undefined ? '' : `, at ${place}`})`, { hint: hintFor(e) });
  }
  // A host allocation limit (a string or array longer than the engine holds) is the fold running out of memory.
  if (e instanceof RangeError && /^Invalid (string|array|typed array) length|allocation failed/.test(e.message)) {
    return gateError('FOLD_ERROR', `MEMORY_EXHAUSTED: a value larger than the host holds (${e.message}) (in ${where})`, { hint: 'the fold allocates too much in one invocation' });
  }
  const detail = e instanceof Error ? e.message : String(e);
  return gateError('GATE_ERROR', `the EchoLua VM failed on the host while running ${where}: ${detail}`, { hint: 'this is not a fold result; the push is refused and the failure should be reported' });
}

function hintFor(e: LuaError): string {
  switch (e.sub) {
    case 'FUEL_EXHAUSTED': return 'the fold does too much work for one invocation; look for an endless loop, or move heavy work out of step';
    case 'MEMORY_EXHAUSTED': return 'the fold allocates too much in one invocation';
    case 'INT_OVERFLOW': return 'integers are exact 64-bit values and Q32.32 holds about +-2.1e9; overflow is an error, never a wrap';
    case 'DIV_BY_ZERO': return 'check the divisor before dividing';
    case 'STACK_OVERFLOW': return 'recursion is limited; use a loop';
    case 'FROZEN': return 'tables and globals made at load time are read-only; keep changing data in the state';
    default: return 'see docs/echolua.md for the EchoLua profile';
  }
}

/**
 * Names the source place of a statement (its position in statementsInOrder), e.g. `fold.lua:12`;
 * undefined where unknown. The compiler knows the lines (CompiledEchoLua.lines); the artifact does not.
 */
export type StatementOrigin = (stmt: number) => string | undefined;

export interface LoadOptions {
  readonly limits?: Limits;
  /** Where the source is at hand: run-time errors then name the failing statement's line. */
  readonly origin?: StatementOrigin;
}

export function instantiate(program: ElcProgram, foldRoot: PrefixedDigest, inputs: readonly string[], opts: LoadOptions = {}): Result<FoldRuntime<EchoState>> {
  const m = new Machine(opts.limits ?? DEFAULT_LIMITS);
  let init: LuaFunction;
  let step: LuaFunction;
  let emit: LuaFunction;
  try {
    installStdlib(m);
    const main = compileProgram(m, program.main);
    m.reset();
    main.call([]);
    m.endLoad();
    const window = m.env.get('fold');
    if (window instanceof LuaFunction && m.env.get('step') === undefined) return ok(windowRuntime(m, window, program, foldRoot, inputs, opts));
    const fns: LuaFunction[] = [];
    for (const name of ['init', 'step', 'emit']) {
      const f = m.env.get(name);
      if (!(f instanceof LuaFunction)) {
        return err(gateError('ARTIFACT_INVALID', `the EchoLua fold defines no function '${name}' (found ${typeName(f)})`, { hint: 'a fold defines init(), step(state, event) and emit(state) at the top level' }));
      }
      fns.push(f);
    }
    [init, step, emit] = fns as [LuaFunction, LuaFunction, LuaFunction];
  } catch (e) {
    return err(runtimeError(e, 'the main chunk', opts.origin));
  }
  let initial: () => Value;
  try {
    m.reset();
    const enc = encodeState(init.call([])[0]);
    if (!enc.ok) return enc;
    // Read back once: each init() is then a fresh copy of the same state, without decoding and checking the bytes again.
    const reader = stateReader(enc.value);
    if (!reader.ok) return reader;
    initial = reader.value;
  } catch (e) {
    return err(runtimeError(e, 'init()', opts.origin));
  }

  const emitWith = <T>(state: EchoState, finish: (files: Value) => Result<T>): Result<T> => {
    if (state.consumed) return err(gateError('FOLD_ERROR', 'RUNTIME: this state was already passed to step (states are consumed)'));
    try {
      m.reset();
      m.protectExisting();
      const files = emit.call([state.value])[0];
      return finish(files);
    } catch (e) {
      return err(runtimeError(e, 'emit', opts.origin));
    }
  };
  const runtime: FoldRuntime<EchoState> = {
    kind: 'echolua',
    foldRoot,
    engine: FOLD_ENGINE,
    inputs,
    usesRng: referencesGlobal(program, RNG_GLOBAL),
    init(): EchoState {
      return new EchoState(initial());
    },
    step(state, events) {
      if (state.consumed) return err(gateError('FOLD_ERROR', 'RUNTIME: this state was already passed to step (states are consumed)', { hint: 'use the state step returned' }));
      state.consumed = true;
      let value = state.value;
      const cache = new EnvelopeCache();
      // One view for the whole batch when step only reads fields of its event (it cannot keep the view).
      const view = (step.fieldOnlyParams & 2) !== 0 ? new EventView(cache) : undefined;
      const args: Value[] = [undefined, undefined];
      for (let i = 0; i < events.length; i++) {
        const ev = events[i] as FoldEvent;
        try {
          m.reset();
          args[0] = value;
          args[1] = view === undefined ? eventToLua(ev, m, cache) : viewOf(view, ev, m);
          value = step.call1(args);
          if (value === undefined) return err(gateError('FOLD_ERROR', `RUNTIME: step returned nil for event ${ev.ulid} (index ${i})`, { hint: 'step(state, event) must return the new state' }));
        } catch (e) {
          return err(runtimeError(e, `step for event ${ev.ulid} (index ${i})`, opts.origin));
        }
      }
      const saveable = checkState(value);
      return saveable.ok ? ok(new EchoState(value)) : saveable;
    },
    emit: (state) => emitWith(state, emittedFiles),
    checkEmit: (state) => emitWith(state, checkEmitted),
    saveState,
    loadState(bytes) {
      const v = decodeState(bytes);
      return v.ok ? ok(new EchoState(v.value)) : v;
    },
  };
  return ok(runtime);
}

/**
 * The FAQ's whole-window form, `function fold(events)`: the state is the
 * window itself, the events folded so far as an array in the event order
 * (the saved state of a checkpoint is that array, so the next checkpoint
 * appends its new events to it), and emit calls fold(window) on the whole
 * window, read-only. Each step event is one invocation, as in the step
 * form; emit's fuel and memory budgets grow with the window (one
 * invocation's budget per event, and one more), so a window that step
 * accepted one event at a time can always be re-folded.
 */
function windowRuntime(m: Machine, fold: LuaFunction, program: ElcProgram, foldRoot: PrefixedDigest, inputs: readonly string[], opts: LoadOptions): FoldRuntime<EchoState> {
  const consumed = (): Result<never> => err(gateError('FOLD_ERROR', 'RUNTIME: this state was already passed to step (states are consumed)', { hint: 'use the state step returned' }));
  const emitWith = <T>(state: EchoState, finish: (files: Value) => Result<T>): Result<T> => {
    if (state.consumed) return consumed();
    const window = state.value;
    const n = window instanceof LuaTable ? window.length() : 0;
    try {
      m.reset(n + 1);
      m.protectExisting();
      return finish(fold.call1([window]));
    } catch (e) {
      return err(runtimeError(e, `fold(events) over a window of ${n} events`, opts.origin));
    }
  };
  return {
    kind: 'echolua',
    foldRoot,
    engine: FOLD_ENGINE,
    inputs,
    usesRng: referencesGlobal(program, RNG_GLOBAL),
    init: () => new EchoState(new LuaTable()),
    step(state, events) {
      if (state.consumed) return consumed();
      state.consumed = true;
      const window = state.value;
      if (!(window instanceof LuaTable)) return err(gateError('FOLD_ERROR', `RUNTIME: the window of a fold(events) fold is a ${typeName(window)}`));
      const cache = new EnvelopeCache();
      for (let i = 0; i < events.length; i++) {
        const ev = events[i] as FoldEvent;
        try {
          m.reset();
          setIndex(m, window, window.length() + 1, eventToLua(ev, m, cache));
        } catch (e) {
          return err(runtimeError(e, `step for event ${ev.ulid} (index ${i})`, opts.origin));
        }
      }
      const saveable = checkState(window);
      return saveable.ok ? ok(new EchoState(window)) : saveable;
    },
    emit: (state) => emitWith(state, emittedFiles),
    checkEmit: (state) => emitWith(state, checkEmitted),
    saveState,
    loadState(bytes) {
      const v = decodeState(bytes);
      if (!v.ok) return v;
      if (!(v.value instanceof LuaTable)) return err(gateError('FOLD_ERROR', 'RUNTIME: a saved window is not an array of events', { hint: 'the saved state belongs to another fold' }));
      return ok(new EchoState(v.value));
    },
  };
}

function saveState(state: EchoState): Uint8Array {
  const r = encodeState(state.value);
  // step and init check every state they hand out (checkState), so this cannot fail for them.
  if (!r.ok) throw new Error(`bug: an unchecked EchoLua state reached saveState: ${r.error.message}`);
  return r.value;
}

/** The event table: 6 string keys, charged as a table of 6 slots after its payload. */
const EVENT_FIELDS = 6;

function eventToLua(ev: FoldEvent, m: Machine, cache: EnvelopeCache): LuaTable {
  // A literal with a fixed shape is the fastest way to build the record (see STR_PROTO).
  const strs = {
    __proto__: STR_PROTO,
    journal: cache.bin(ev.journal),
    commit: textToBin(ev.commit),
    ulid: textToBin(ev.ulid),
    type: cache.bin(ev.type),
    actor: cache.bin(ev.actor),
    payload: inputToLua(ev.payload, m),
  } as unknown as Record<string, Value>;
  return m.tableFromStrs(strs, EVENT_FIELDS);
}

/** The view instead of the table: the same payload conversion and the same memory charge, in the same order. */
function viewOf(view: EventView, ev: FoldEvent, m: Machine): EventView {
  const payload = inputToLua(ev.payload, m);
  m.alloc(4 + EVENT_FIELDS);
  view.reset(ev, payload);
  return view;
}

function emittedFiles(files: Value): Result<EmittedFiles> {
  const out = new Map<string, Uint8Array>();
  const done = eachEmitted(
    files,
    (path, json) => {
      const bytes = canonicalJson(json);
      if (bytes.ok) out.set(path, bytes.value);
      return bytes;
    },
    (path, value) => {
      const bytes = fastCanonicalJson(value);
      if (bytes !== undefined) out.set(path, bytes);
      return bytes !== undefined;
    },
  );
  return done.ok ? ok(out) : done;
}

/** emittedFiles' answer without the bytes: the same walk, conversions and checks (the dry-run of decision 0013 reads no bytes). */
function checkEmitted(files: Value): Result<void> {
  return eachEmitted(files, checkCanonicalJson);
}

/**
 * Each emitted file in path order, as JSON, to `each`; the first problem, in emittedFiles' words.
 * `direct`, when given, is tried first with the Lua value and takes the file when it answers true
 * (it must only do so where the JSON path would succeed with the same result: vm/emit-direct.ts).
 */
function eachEmitted(files: Value, each: (path: string, json: JsonValue) => Result<unknown>, direct?: (path: string, value: Value) => boolean): Result<void> {
  if (!(files instanceof LuaTable)) {
    return err(gateError('FOLD_ERROR', `RUNTIME: emit must return a table of path -> value, found ${typeName(files)}`));
  }
  const paths: [string, Value][] = [];
  for (const k of files.keys()) {
    const path = typeof k === 'string' ? binToText(k) : undefined;
    if (path === undefined || path === '') return err(gateError('FOLD_ERROR', `RUNTIME: emit returned a key that is not a file path (${typeName(k)})`, { hint: 'emit returns { ["state/x.json"] = value, ... }' }));
    paths.push([path, files.get(k)]);
  }
  paths.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  for (const [path, value] of paths) {
    if (direct?.(path, value) === true) continue;
    let json;
    try {
      json = luaToJson(value, '$');
    } catch (e) {
      return err(runtimeError(e, `emit of ${path}`));
    }
    const done = each(path, json);
    if (!done.ok) return err(gateError('FOLD_ERROR', `RUNTIME: emitted file ${path}: ${done.error.message}`, { hint: done.error.hint }));
  }
  return ok(undefined);
}

/** Script mode for tests and the differential harness: run a chunk with a captured print. */
export function runScript(program: ElcProgram, limits: Limits = DEFAULT_LIMITS): { output: string; error?: GateError } {
  const m = new Machine(limits);
  const lines: string[] = [];
  try {
    installStdlib(m, { print: (line) => lines.push(line) });
    const main = compileProgram(m, program.main);
    m.reset();
    main.call([]);
    return { output: joinOutput(lines) };
  } catch (e) {
    return { output: joinOutput(lines), error: runtimeError(e, 'the script') };
  }
}

function joinOutput(lines: string[]): string {
  // print output is bytes; show it as text where it is UTF-8 (the oracle prints the same bytes).
  const bin = lines.map((l) => `${l}\n`).join('');
  return binToText(bin) ?? bin;
}

