/**
 * The last step of lowering a YAML fold (decision 0048): each reducer call
 * of the lowered `step` that the superinstruction covers becomes one ELC
 * statement 'lat' (src/fold/echolua/elc.ts). The lowering writes those calls
 * as `lattice.<op>(state[name], key, value, event.ulid, event.journal,
 * event.commit)` (lww), `lattice.<op>(state[name], key, value,
 * event.journal)` (counters) or `lattice.<op>(state[name], key, value)`
 * (min, max); this pass matches exactly those shapes and replaces each by
 * `['lat', op, state[name], key, value, event slot]`, which the VM runs
 * with the same code and the same checks as the call. A statement of any
 * other shape stays the call it is, so the pass can only make a step
 * faster, never different. One statement becomes one statement, so the
 * statement positions (and with them the YAML lines a run-time error
 * names) are unchanged.
 */
import { LAT_OPS, type ElcBlock, type ElcExpr, type ElcProgram, type ElcProto, type ElcStmt, type ElcTarget, type LatOp } from '../echolua/elc';

const LAT: ReadonlySet<string> = new Set<string>(LAT_OPS);
const TEXT = new TextDecoder('utf-8', { fatal: true });

function bytesText(b: unknown): string | undefined {
  if (!(b instanceof Uint8Array)) return undefined;
  try {
    return TEXT.decode(b);
  } catch {
    return undefined;
  }
}

/** `lattice.<op>`: the op's name, or undefined. */
function latticeOp(e: ElcExpr): LatOp | undefined {
  if (e[0] !== 'ix') return undefined;
  const [, on, k] = e;
  if (on[0] !== 'g' || on[1] !== 'lattice' || k[0] !== 'k') return undefined;
  const name = bytesText(k[1]);
  return name !== undefined && LAT.has(name) ? (name as LatOp) : undefined;
}

/** The slot of `event.<name>` (a constant field of a local), or undefined. */
function fieldSlot(e: ElcExpr | undefined, name: string): number | undefined {
  if (e === undefined || e[0] !== 'ix') return undefined;
  const [, on, k] = e;
  return on[0] === 'l' && k[0] === 'k' && bytesText(k[1]) === name ? on[1] : undefined;
}

function fuseStmt(s: ElcStmt, eventSlot: number): ElcStmt {
  switch (s[0]) {
    case 'if':
      return ['if', s[1].map(([c, b]) => [c, fuseBlock(b, eventSlot)] as const), fuseBlock(s[2], eventSlot)];
    case 'do':
      return ['do', fuseBlock(s[1], eventSlot)];
    case 'x': {
      const call = s[1];
      if (call[0] !== 'call') return s;
      const op = latticeOp(call[1]);
      const a = call[2];
      if (op === undefined) return s;
      const [r, key, value] = a as readonly [ElcExpr, ElcExpr, ElcExpr];
      if (op === 'lww') {
        const ev = fieldSlot(a[3], 'ulid');
        if (a.length !== 6 || ev === undefined || fieldSlot(a[4], 'journal') !== ev || fieldSlot(a[5], 'commit') !== ev) return s;
        return ['lat', op, r, key, value, ev];
      }
      if (op === 'gcount' || op === 'pncount') {
        const ev = fieldSlot(a[3], 'journal');
        return a.length === 4 && ev !== undefined ? ['lat', op, r, key, value, ev] : s;
      }
      return a.length === 3 ? ['lat', op, r, key, value, eventSlot] : s;
    }
    default:
      return s;
  }
}

function fuseBlock(b: ElcBlock, eventSlot: number): ElcBlock {
  return b.map((s) => fuseStmt(s, eventSlot));
}

/** The step function's proto, where the main chunk's `function step(state, event)` sets it; else undefined. */
function stepProto(s: ElcStmt): ElcProto | undefined {
  if (s[0] !== 'set' || s[1].length !== 1 || s[2].length !== 1) return undefined;
  const t = s[1][0] as ElcTarget;
  const v = s[2][0] as ElcExpr;
  return t[0] === 'g' && t[1] === 'step' && v[0] === 'fn' && v[1].np === 2 ? v[1] : undefined;
}

/** The program with the step's reducer calls fused into 'lat' statements (nothing else changes). */
export function fuseReducerCalls(program: ElcProgram): ElcProgram {
  const body = program.main.body.map((s): ElcStmt => {
    const fn = stepProto(s);
    if (fn === undefined || s[0] !== 'set') return s;
    // The event is step's second parameter (slot 1); min and max read no field of it.
    return ['set', s[1], [['fn', { ...fn, body: fuseBlock(fn.body, 1) }]]];
  });
  return { v: program.v, main: { ...program.main, body } };
}
