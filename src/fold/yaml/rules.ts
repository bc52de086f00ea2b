/**
 * The rules a fold must obey beyond the shape of each field: names unique,
 * emits naming real reducers, each kind getting the paths and selectors it
 * needs, a tree of emitted paths Git can hold. The compiler reports these
 * at the offending line; the artifact loader applies the same rules to
 * compiled bytes, so an artifact built by other means cannot skip them.
 */
import { emitPathProblem } from '../emit-path';
import { checkRefGlob } from '../glob';
import { isSetKind, type FoldSpec } from './spec';
import { JOURNAL_PREFIX } from '../../actors/refs';

/** Where in the spec a problem is: a section, an item index, and the field at fault. */
export interface SpecPlace {
  readonly section: 'inputs' | 'reducers' | 'emit';
  readonly index?: number;
  readonly field?: string;
}

export interface SpecProblem {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly hint: string;
  readonly at: SpecPlace;
}

export const NAME_RE = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/;

export function specProblems(spec: FoldSpec): SpecProblem[] {
  const out: SpecProblem[] = [];
  const error = (message: string, hint: string, at: SpecPlace) => out.push({ severity: 'error', message, hint, at });

  if (spec.inputs.length === 0) error('the fold reads no journals', `list at least one glob, e.g. '${JOURNAL_PREFIX}finance/**'`, { section: 'inputs' });
  spec.inputs.forEach((g, index) => {
    const shape = checkRefGlob(g);
    if (!shape.ok) error(shape.error.message, shape.error.hint ?? '', { section: 'inputs', index });
    else if (!g.startsWith(JOURNAL_PREFIX)) error(`the input '${g}' is not under ${JOURNAL_PREFIX}`, `folds read journals; write '${JOURNAL_PREFIX}<namespace>/**'`, { section: 'inputs', index });
  });

  if (spec.reducers.length === 0) error('the fold has no reducers', 'add at least one reducer under "reducers:"', { section: 'reducers' });
  const names = new Map<string, number>();
  spec.reducers.forEach((r, index) => {
    const at = (field?: string): SpecPlace => ({ section: 'reducers', index, field });
    if (!NAME_RE.test(r.name)) error(`'${r.name}' is not a valid reducer name`, "start with a letter or '_', then letters, digits, '_' or '-' (at most 64)", at('name'));
    const first = names.get(r.name);
    if (first !== undefined) error(`the reducer name '${r.name}' is used twice (first by reducer ${first + 1})`, 'give each reducer its own name', at('name'));
    else names.set(r.name, index);
    if (r.kind === 'map-join-lww' && !r.key) error("a 'map-join-lww' reducer needs a 'key' path", "say which value keys the map, e.g. key: '$.payload.id'", at());
    if ((r.kind === 'min' || r.kind === 'max' || isSetKind(r.kind)) && !r.value) {
      error(`a '${r.kind}' reducer needs a 'value' path`, `say which value it takes, e.g. value: '$.payload.amount'`, at());
    }
    if (isSetKind(r.kind)) {
      if (r.where) error(`a '${r.kind}' reducer selects events with 'add' and 'remove', not 'where'`, "rename 'where' to 'add'", at('where'));
      if (!r.add) error(`a '${r.kind}' reducer needs an 'add' selector`, "e.g. add: { type: 'member.added' }", at());
    } else {
      if (r.add) error(`only set reducers take 'add'; '${r.kind}' uses 'where'`, "rename 'add' to 'where'", at('add'));
      if (r.remove) error(`only set reducers take 'remove'; '${r.kind}' uses 'where'`, "remove the 'remove' selector", at('remove'));
    }
    for (const sel of ['where', 'add', 'remove'] as const) {
      for (const g of r[sel]?.journal ?? []) {
        const shape = checkRefGlob(g);
        if (!shape.ok) error(shape.error.message, shape.error.hint ?? '', at(sel));
      }
    }
  });

  if (spec.emit.length === 0) error('the fold emits nothing', 'add an entry under "emit:" with a path and the reducer it shows', { section: 'emit' });
  const paths = new Map<string, number>();
  const used = new Set<string>();
  spec.emit.forEach((e, index) => {
    const at = (field?: string): SpecPlace => ({ section: 'emit', index, field });
    const bad = emitPathProblem(e.path);
    if (bad) error(`invalid emit path: ${bad.message}`, bad.hint, at('path'));
    const first = paths.get(e.path);
    if (first !== undefined) error(`the path '${e.path}' is emitted twice (first by emit ${first + 1})`, 'each emitted file needs its own path', at('path'));
    else paths.set(e.path, index);
    const r = spec.reducers.find((x) => x.name === e.from);
    used.add(e.from);
    if (!r) {
      const known = spec.reducers.map((x) => x.name).join(', ');
      error(`no reducer is named '${e.from}'`, known ? `reducers here: ${known}` : 'add a reducer first', at('from'));
    } else if (e.view === 'keys' && !r.key) {
      error(`the 'keys' view needs a keyed reducer, and '${r.name}' has no 'key'`, "add a 'key' path to the reducer or emit its 'value'", at('view'));
    }
  });
  for (const e of spec.emit) {
    for (let at = e.path.indexOf('/'); at >= 0; at = e.path.indexOf('/', at + 1)) {
      const dir = e.path.slice(0, at);
      const clash = paths.get(dir);
      if (clash !== undefined) {
        error(`'${dir}' is emitted as a file and is also the directory of '${e.path}'`, 'a Git tree cannot hold a file and a directory of the same name', { section: 'emit', index: clash, field: 'path' });
      }
    }
  }
  spec.reducers.forEach((r, index) => {
    if (!used.has(r.name)) {
      out.push({ severity: 'warning', message: `the reducer '${r.name}' is never emitted`, hint: 'emit it or remove it; its state still costs time on every push', at: { section: 'reducers', index, field: 'name' } });
    }
  });
  return out;
}
