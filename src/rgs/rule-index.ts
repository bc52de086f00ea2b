/**
 * An index of rules by the enum attributes their `when` tests first.
 * A push-gate policy scopes most rules by intent (`when: { intent: ... }`)
 * or actor kind, and `and` stops at its first false operand, so a rule
 * whose first conjunct asks for another intent (or kind) is not applicable,
 * without any other part of it being read. Reading intent and actor.kind
 * once and picking the rules that can apply skips those rules entirely.
 *
 * Sound only for the first conjunct: a later one could be preceded by a
 * part that fails (and a failure denies). When a gated attribute cannot be
 * read (missing, ill-typed), every rule gated on it is kept, so it fails in
 * its own `when` exactly as it would without the index.
 */
import type { Frame } from './frame';
import type { Ir } from './ir';
import type { PreparedRule } from './load';
import { prepare, type Fn } from './prepare';
import { ACTOR_KINDS, INTENTS } from './schema';

interface Gate {
  readonly path: Ir;
  readonly values: readonly string[];
}

const GATES: readonly Gate[] = [
  { path: ['attr', 'intent'], values: INTENTS },
  { path: ['get', ['attr', 'actor'], 'kind'], values: ACTOR_KINDS },
];

const READERS: readonly Fn[] = GATES.map((g) => prepare(g.path).fn);

function samePath(a: unknown, b: Ir): boolean {
  if (!Array.isArray(a) || a.length !== b.length || a[0] !== b[0]) return false;
  if (b[0] === 'attr') return a[1] === b[1];
  return b[0] === 'get' && a[2] === b[2] && samePath(a[1], b[1] as Ir);
}

/** The gate a `when` opens with, as [gate index, the values for which its first conjunct can hold]. */
function gateOf(when: Ir | null): [number, ReadonlySet<string>] | undefined {
  if (when === null) return undefined;
  let first: Ir = when;
  while (first[0] === 'and') first = first[1] as Ir;
  for (let g = 0; g < GATES.length; g++) {
    const path = (GATES[g] as Gate).path;
    if (first[0] === 'in' && samePath(first[1], path) && first[2][0] === 'set') return [g, new Set(first[2][1])];
    if (first[0] === 'eq') {
      const [, a, b] = first;
      if (samePath(a, path) && b[0] === 'lit' && typeof b[1] === 'string') return [g, new Set([b[1]])];
      if (samePath(b, path) && a[0] === 'lit' && typeof a[1] === 'string') return [g, new Set([a[1]])];
    }
  }
  return undefined;
}

interface RuleIndex {
  /** Rules that can apply, in policy order, by the combination of gate values (the last value of each gate: unreadable). */
  readonly lists: readonly (readonly PreparedRule[])[];
}

// eslint-disable-next-line no-restricted-syntax -- module state allowed: a memo of indexing an immutable rule list, living as long as the list
const cache = new WeakMap<readonly PreparedRule[], RuleIndex>();

function build(rules: readonly PreparedRule[]): RuleIndex {
  const gates = rules.map((p) => gateOf(p.rule.when));
  const lists: PreparedRule[][] = [];
  const combos = GATES.reduce((n, g) => n * (g.values.length + 1), 1);
  for (let c = 0; c < combos; c++) {
    // Decode the combination into one value index per gate (values.length = unreadable).
    const at: number[] = [];
    let rest = c;
    for (const g of GATES) {
      at.push(rest % (g.values.length + 1));
      rest = Math.floor(rest / (g.values.length + 1));
    }
    lists.push(rules.filter((_, i) => {
      const gate = gates[i];
      if (gate === undefined) return true;
      const [g, allowed] = gate;
      const values = (GATES[g] as Gate).values;
      const v = at[g] as number;
      return v === values.length || allowed.has(values[v] as string);
    }));
  }
  return { lists };
}

/** The rules of `rules` that can apply to the request in `f`, in their order. Reads the gated attributes into the frame. */
export function candidateRules(rules: readonly PreparedRule[], f: Frame): readonly PreparedRule[] {
  let index = cache.get(rules);
  if (index === undefined) {
    index = build(rules);
    cache.set(rules, index);
  }
  let combo = 0;
  let scale = 1;
  for (let g = 0; g < GATES.length; g++) {
    const values = (GATES[g] as Gate).values;
    let v = values.length;
    try {
      v = values.indexOf((READERS[g] as Fn)(f) as string);
      if (v < 0) v = values.length;
    } catch {
      // Unreadable: keep every rule gated on it; each fails in its own when.
    }
    combo += v * scale;
    scale *= values.length + 1;
  }
  return index.lists[combo] as readonly PreparedRule[];
}
