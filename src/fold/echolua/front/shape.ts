/**
 * The fold convention, checked at compile time. A fold source declares at
 * its top level:
 *
 *   inputs = { "refs/gatos/journal/finance/**", ... }  -- string literals
 *   function init() return {} end                     -- the initial state
 *   function step(state, event) ... return state end  -- once per event
 *   function emit(state) return { ["path.json"] = value } end
 */
import type * as L from 'luaparse';
import type { Diagnostic } from '../../../core/diagnostic';
import { binToText } from '../vm/strings';
import { rangeOf, type SourceMap } from './parse';

export const FOLD_FUNCTIONS = ['init', 'step', 'emit'] as const;

export function checkFoldShape(chunk: L.Chunk, map: SourceMap): { inputs: string[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const at = (node: object, message: string, hint: string): void => {
    const [s, e] = rangeOf(node);
    diagnostics.push({ severity: 'error', code: 'fold-shape', message, location: map.locate(s, e), hint });
  };
  let inputs: string[] | undefined;
  const defined = new Set<string>();
  for (const s of chunk.body) {
    if (s.type === 'AssignmentStatement' && s.variables.length === 1 && s.variables[0]?.type === 'Identifier' && s.variables[0].name === 'inputs') {
      if (inputs !== undefined) at(s, "'inputs' is declared twice", 'declare the journal globs once');
      inputs = readInputs(s.init[0], at) ?? [];
    }
    if (s.type === 'FunctionDeclaration' && !s.isLocal && s.identifier?.type === 'Identifier') defined.add(s.identifier.name);
    if (s.type === 'AssignmentStatement' && s.variables.length === 1 && s.variables[0]?.type === 'Identifier' && s.init[0]?.type === 'FunctionDeclaration') defined.add(s.variables[0].name);
  }
  // The FAQ's whole-window form: function fold(events) ... return emit_json_canonical(path, value) end.
  if (defined.has(WINDOW_FUNCTION)) {
    const mixed = FOLD_FUNCTIONS.filter((n) => defined.has(n));
    if (mixed.length > 0) at(chunk, `the fold defines both fold(events) and ${mixed.map((n) => `${n}()`).join(', ')}`, 'write either the whole-window form fold(events), or init(), step(state, event) and emit(state)');
    return { inputs: inputs ?? [ALL_JOURNALS], diagnostics };
  }
  if (inputs === undefined) {
    at(chunk, "the fold declares no 'inputs'", 'add a top-level line such as  inputs = { "refs/gatos/journal/finance/**" }');
  }
  for (const name of FOLD_FUNCTIONS) {
    if (!defined.has(name)) at(chunk, `the fold defines no top-level function '${name}'`, 'a fold defines init(), step(state, event) and emit(state) as global functions, or one function fold(events) over the whole window');
  }
  return { inputs: inputs ?? [], diagnostics };
}

/** Where journals live; every input is a glob under it. */
const JOURNAL_REFS = 'refs/gatos/journal/';

/** The whole-window form's function. */
export const WINDOW_FUNCTION = 'fold';

/** What a whole-window fold without `inputs` reads: every journal (the FAQ's example declares none). */
export const ALL_JOURNALS = 'refs/gatos/journal/**';

function readInputs(e: L.Expression | undefined, at: (node: object, message: string, hint: string) => void): string[] | undefined {
  const hint = 'write inputs = { "refs/gatos/journal/<ns>/**", ... } with string literals only';
  if (!e || e.type !== 'TableConstructorExpression') {
    at(e ?? {}, "'inputs' must be a table of string literals", hint);
    return undefined;
  }
  const out: string[] = [];
  for (const f of e.fields) {
    if (f.type !== 'TableValue' || f.value.type !== 'StringLiteral') {
      at(f, "'inputs' must list string literals only", hint);
      continue;
    }
    const text = binToText(f.value.value);
    if (text === undefined || text === '') {
      at(f, 'an input glob must be non-empty UTF-8 text', hint);
      continue;
    }
    // The FAQ's path form: 'gatos/journal/t/**' names refs/gatos/journal/t/**, as in YAML folds.
    const glob = text.startsWith('gatos/') ? `refs/${text}` : text;
    if (!glob.startsWith(JOURNAL_REFS)) {
      at(f, `the input '${text}' is not under ${JOURNAL_REFS}`, `folds read journals; write '${JOURNAL_REFS}<namespace>/**' or 'gatos/journal/<namespace>/**'`);
      continue;
    }
    if (out.includes(glob)) at(f, `the input glob '${text}' is listed twice`, 'list each glob once');
    out.push(glob);
  }
  if (out.length === 0 && e.fields.length === 0) at(e, "'inputs' is empty", 'a fold reads at least one journal glob');
  return out;
}
