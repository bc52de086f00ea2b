/**
 * Lowering a checked, normalized YAML fold to EchoLua, which the EchoLua
 * front end compiles to ELC: the one IR every fold is stored as and the
 * one VM runs. Selectors become `if` tests on event fields, key paths
 * become `lattice.get` reads, and each reducer one call of the `lattice`
 * library (src/fold/echolua/vm/lattice.ts), which keeps the stamped cells
 * of docs/decisions/0006; the lww, counter, min and max calls are written
 * `lattice.<op>(...)` so that fuse.ts can make each an ELC 'lat' statement
 * (decision 0048). The text is a pure function of the spec, so the same
 * spec gives the same ELC and the same fold_root.
 */
import { isSetKind, type FoldSpec, type KeyPath, type ReducerSpec, type Scalar, type Selector } from './spec';
import { S64_MIN } from '../../canon/integers';

const UTF8 = new TextEncoder();
const PLAIN = /^[A-Za-z0-9 ._/:*-]$/;

/** A Lua string literal for the UTF-8 bytes of `s` (anything but plain ASCII as \ddd). */
export function luaString(s: string): string {
  let out = '"';
  for (const b of UTF8.encode(s)) {
    const c = String.fromCharCode(b);
    out += PLAIN.test(c) ? c : `\\${String(b).padStart(3, '0')}`;
  }
  return `${out}"`;
}

function luaScalar(v: Scalar): string {
  if (v === null) return 'json.null';
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return luaString(v);
  if (v === S64_MIN) return 'math.mininteger';
  return v < 0n ? `(-${(-v).toString()})` : v.toString();
}

/**
 * An expression reading a key path of `event` (nil where the event has no
 * such value). `direct` (keys and values, which must exist) reads one step
 * below the payload with an index: a payload that is not a table then
 * fails the event, as a missing value does; field tests always use
 * lattice.get, which is nil there.
 */
function read(path: KeyPath, direct = false): string {
  const [field, ...rest] = path;
  if (rest.length === 0) return `event.${field}`;
  if (direct && rest.length === 1) {
    const s = rest[0] as string | number;
    return `event.${field}[${typeof s === 'number' ? String(s + 1) : luaString(s)}]`;
  }
  // YAML indexes lists from 0, Lua from 1.
  const steps = rest.map((s) => (typeof s === 'number' ? String(s + 1) : luaString(s)));
  return `get(event.${field}, ${steps.join(', ')})`;
}

function oneOf(expr: string, list: readonly string[]): string {
  return list.length === 1 ? `${expr} == ${luaString(list[0] as string)}` : `(${list.map((x) => `${expr} == ${luaString(x)}`).join(' or ')})`;
}

function test(s: Selector | undefined): string | undefined {
  if (s === undefined) return undefined;
  const parts: string[] = [];
  if (s.type) parts.push(oneOf('event.type', s.type));
  if (s.actor) parts.push(oneOf('event.actor', s.actor));
  if (s.journal) parts.push(`glob(event.journal, ${s.journal.map(luaString).join(', ')})`);
  for (const f of s.fields ?? []) parts.push(`${read(f.path)} == ${luaScalar(f.equals)}`);
  return parts.length === 0 ? undefined : parts.join(' and ');
}

const OP: Readonly<Record<ReducerSpec['kind'], string>> = {
  'map-join-lww': 'lww',
  'g-counter': 'gcount',
  'pn-counter': 'pncount',
  min: 'min',
  max: 'max',
  'or-set': 'orset',
  '2p-set': 'twopset',
};

function stepOf(r: ReducerSpec): string[] {
  const cell = `state[${luaString(r.name)}]`;
  const key = r.key ? read(r.key, true) : '""';
  const value = r.value ? read(r.value, true) : r.kind === 'map-join-lww' ? 'event.payload' : '1';
  // The kinds the superinstruction covers call the library by its full name, the shape fuse.ts makes a 'lat' statement of.
  const op = isSetKind(r.kind) ? OP[r.kind] : `lattice.${OP[r.kind]}`;
  const call = (extra: string) => `${op}(${cell}, ${key}, ${value}${extra})`;
  if (isSetKind(r.kind)) {
    const stamp = r.kind === 'or-set' ? ', s' : '';
    const remove = test(r.remove);
    const add = test(r.add);
    const lines: string[] = [];
    if (remove) lines.push(`  if ${remove} then`, `    ${call(`${stamp}, true`)}`);
    if (add) lines.push(`  ${remove ? 'elseif' : 'if'} ${add} then`, `    ${call(`${stamp}, false`)}`, '  end');
    else if (remove) lines.push('  else', `    ${call(`${stamp}, false`)}`, '  end');
    else lines.push(`  ${call(`${stamp}, false`)}`);
    return lines;
  }
  const extra = r.kind === 'map-join-lww' ? ', event.ulid, event.journal, event.commit' : r.kind === 'g-counter' || r.kind === 'pn-counter' ? ', event.journal' : '';
  const where = test(r.where);
  return where ? [`  if ${where} then`, `    ${call(extra)}`, '  end'] : [`  ${call(extra)}`];
}

/** The EchoLua source of a normalized spec, and for each of its lines the reducer it comes from (so a run-time error can name it). */
export function lowerFold(spec: FoldSpec): { text: string; reducerOfLine: readonly (string | undefined)[] } {
  const byName = new Map(spec.reducers.map((r) => [r.name, r] as const));
  const stamped = spec.reducers.some((r) => r.kind === 'or-set');
  const out = [
    '-- Lowered from a YAML fold (src/fold/yaml/lower.ts).',
    `inputs = { ${spec.inputs.map(luaString).join(', ')} }`,
    'local orset, twopset, stamp, get, glob = lattice.orset, lattice.twopset, lattice.stamp, lattice.get, lattice.glob',
    'local view, keys = lattice.view, lattice.keys',
    'function init()',
    `  return { ${spec.reducers.map((r) => `[${luaString(r.name)}] = {}`).join(', ')} }`,
    'end',
    'function step(state, event)',
  ];
  const owner: (string | undefined)[] = [];
  const own = (name: string, lines: readonly string[]): void => {
    owner.length = out.length;
    out.push(...lines);
    for (let i = 0; i < lines.length; i++) owner.push(name);
  };
  if (stamped) out.push('  local s = stamp(event.ulid, event.journal, event.commit)');
  for (const r of spec.reducers) own(r.name, stepOf(r));
  out.push('  return state', 'end', 'function emit(state)', '  return {');
  for (const e of spec.emit) {
    const r = byName.get(e.from) as ReducerSpec;
    const kind = luaString(r.kind);
    const cell = `state[${luaString(r.name)}]`;
    const value = e.view === 'keys' ? `keys(${kind}, ${cell})` : r.key ? `view(${kind}, ${cell})` : `view(${kind}, ${cell}, "")`;
    own(r.name, [`    [${luaString(e.path)}] = ${value},`]);
  }
  out.push('  }', 'end', '');
  owner.length = out.length;
  return { text: out.join('\n'), reducerOfLine: owner };
}
