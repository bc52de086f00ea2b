/**
 * Stage 2 of the YAML fold compiler: located nodes -> a FoldSpec in source
 * order, or diagnostics at file:line:col. Each field's shape is checked
 * here; the rules that tie fields together live in rules.ts, and their
 * problems are pointed back at the node they concern.
 */
import type { Diagnostic } from '../../core/diagnostic';
import { locate } from '../../core/diagnostic';
import { isKeyPathProblem, parseKeyPath } from './keypath';
import { JOURNAL_PREFIX } from '../../actors/refs';
import { specProblems, type SpecPlace } from './rules';
import type { YEntry, YNode, Span } from './source';
import { EMIT_VIEWS, REDUCER_KINDS, YAML_FOLD_VERSION, type ReducerKind, type EmitSpec, type EmitView, type FieldTest, type FoldSpec, type KeyPath, type ReducerSpec, type Scalar, type Selector } from './spec';
import { closest } from '../../core/suggest';

const TOP_KEYS = ['version', 'inputs', 'reducers', 'emit'] as const;
const REDUCER_KEYS = ['name', 'kind', 'where', 'add', 'remove', 'key', 'value'] as const;
const EMIT_KEYS = ['path', 'from', 'view'] as const;
const SELECTOR_KEYS = ['type', 'actor', 'journal'] as const;
/** The reducer name used when a fold has a single unnamed reducer. */
export const DEFAULT_REDUCER_NAME = 'state';

export interface CheckOutcome {
  readonly spec?: FoldSpec;
  readonly diagnostics: readonly Diagnostic[];
  /** Each reducer's first source line, by name (run-time errors name it). */
  readonly reducerLines?: ReadonlyMap<string, number>;
}

type MapNode = Extract<YNode, { kind: 'map' }>;

class Checker {
  readonly diagnostics: Diagnostic[] = [];

  constructor(private readonly text: string, private readonly file: string) {}

  report(span: Span, message: string, hint: string, severity: 'error' | 'warning' = 'error'): void {
    const { line, column } = locate(this.text, span.start);
    const lineEnd = this.text.indexOf('\n', span.start);
    const maxLen = (lineEnd < 0 ? this.text.length : lineEnd) - span.start;
    const length = Math.max(1, Math.min(span.end - span.start, maxLen));
    this.diagnostics.push({ severity, code: 'COMPILE_ERROR', message, hint, location: { file: this.file, line, column, length } });
  }

  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /** The entries of a map node, reporting unknown keys (with a suggestion) against `allowed`. */
  entries(node: MapNode, allowed: readonly string[], what: string): Map<string, YEntry> {
    const out = new Map<string, YEntry>();
    for (const e of node.entries) {
      if (!allowed.includes(e.key)) {
        const guess = closest(e.key, allowed);
        this.report(e.keySpan, `unknown key '${e.key}' in ${what}`, guess ? `did you mean '${guess}'? ${what} takes ${allowed.join(', ')}` : `${what} takes ${allowed.join(', ')}`);
        continue;
      }
      out.set(e.key, e);
    }
    return out;
  }

  map(node: YNode, what: string, example: string): MapNode | undefined {
    if (node.kind === 'map') return node;
    this.report(node.span, `${what} must be a map`, `write it as key: value lines, e.g. ${example}`);
    return undefined;
  }

  string(node: YNode, what: string, hint: string): string | undefined {
    if (node.kind === 'scalar' && typeof node.value === 'string' && node.value.length > 0) return node.value;
    this.report(node.span, `${what} must be a non-empty string, found ${describe(node)}`, hint);
    return undefined;
  }

  /** A string or a list of strings, as a list. */
  strings(node: YNode, what: string, hint: string): string[] | undefined {
    if (node.kind !== 'seq') {
      const s = this.string(node, what, hint);
      return s === undefined ? undefined : [s];
    }
    if (node.items.length === 0) {
      this.report(node.span, `${what} is an empty list`, hint);
      return undefined;
    }
    const out: string[] = [];
    for (const item of node.items) {
      const s = this.string(item, `each entry of ${what}`, hint);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }

  keyPath(node: YNode, what: string): KeyPath | undefined {
    const text = this.string(node, what, "write a key path such as '$.payload.id'");
    if (text === undefined) return undefined;
    const p = parseKeyPath(text);
    if (isKeyPathProblem(p)) {
      const inner = node.kind === 'scalar' && node.quoted ? 1 : 0;
      const start = node.span.start + inner + p.offset;
      this.report({ start, end: Math.max(start + 1, node.span.end - inner) }, `bad key path in ${what}: ${p.message}`, p.hint);
      return undefined;
    }
    return p;
  }

  scalar(node: YNode, what: string): Scalar | undefined {
    if (node.kind === 'scalar') {
      const v = node.value;
      if (v === null || typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'string') return v;
      this.report(node.span, `${what} is the non-integer number ${String(v)}`, 'folds are exact: compare with an integer (minor units) or a string');
      return undefined;
    }
    this.report(node.span, `${what} must be a single value (string, integer, boolean or null), found ${describe(node)}`, 'a field test compares one value');
    return undefined;
  }

  selector(node: YNode, what: string): Selector | undefined {
    const m = this.map(node, what, "{ type: 'invoice.created' }");
    if (!m) return undefined;
    const sel: { type?: string[]; actor?: string[]; journal?: string[]; fields?: FieldTest[] } = {};
    const fields: FieldTest[] = [];
    const seenPaths = new Map<string, Span>();
    for (const e of m.entries) {
      if (e.key.startsWith('$')) {
        const path = this.keyPath({ kind: 'scalar', value: e.key, quoted: false, span: e.keySpan }, `a field test of ${what}`);
        const equals = this.scalar(e.value, `the value tested at '${e.key}'`);
        if (path && equals !== undefined) {
          const norm = JSON.stringify(path);
          if (seenPaths.has(norm)) this.report(e.keySpan, `'${e.key}' is tested twice in ${what}`, 'keep one test per path');
          seenPaths.set(norm, e.keySpan);
          fields.push({ path, equals });
        }
        continue;
      }
      if (!(SELECTOR_KEYS as readonly string[]).includes(e.key)) {
        const guess = closest(e.key, SELECTOR_KEYS);
        this.report(e.keySpan, `unknown key '${e.key}' in ${what}`, `${guess ? `did you mean '${guess}'? ` : ''}a selector takes type, actor, journal, or a key path such as '$.payload.kind'`);
        continue;
      }
      const k = e.key as (typeof SELECTOR_KEYS)[number];
      const list = this.strings(e.value, `'${k}' in ${what}`, k === 'journal' ? `a ref glob such as '${JOURNAL_PREFIX}finance/**'` : `e.g. ${k}: ['a', 'b']`);
      if (list) sel[k] = list;
    }
    if (fields.length) sel.fields = fields;
    if (m.entries.length === 0) {
      this.report(m.span, `${what} is empty`, 'an empty selector selects every event; leave it out instead');
      return undefined;
    }
    return sel;
  }
}

/** Where each spec item came from, to point rule problems at the source. */
interface Origins {
  readonly root: MapNode;
  readonly sections: Partial<Record<SpecPlace['section'], YEntry>>;
  readonly items: Record<SpecPlace['section'], { node: YNode; fields: Map<string, YEntry> }[]>;
}

export function checkFold(root: YNode, text: string, file: string): CheckOutcome {
  const c = new Checker(text, file);
  const top = c.map(root, 'a fold definition', '"version: 1"');
  if (!top) return { diagnostics: c.diagnostics };
  const fields = c.entries(top, TOP_KEYS, 'a fold definition');
  const origins: Origins = { root: top, sections: {}, items: { inputs: [], reducers: [], emit: [] } };
  for (const k of TOP_KEYS) {
    if (!fields.has(k)) c.report({ start: top.span.start, end: top.span.start + 1 }, `the fold definition has no '${k}'`, topHint(k));
  }

  const version = fields.get('version');
  if (version) {
    const v = version.value;
    if (!(v.kind === 'scalar' && typeof v.value === 'bigint' && v.value === BigInt(YAML_FOLD_VERSION))) {
      c.report(v.span, `unsupported fold language version ${v.kind === 'scalar' ? String(v.value) : describe(v)}`, `this compiler reads 'version: ${YAML_FOLD_VERSION}'`);
    }
  }

  const inputs: string[] = [];
  const inputsEntry = fields.get('inputs');
  if (inputsEntry) {
    origins.sections.inputs = inputsEntry;
    const node = inputsEntry.value;
    const items = node.kind === 'seq' ? node.items : [node];
    if (node.kind === 'seq' && node.items.length === 0) c.report(node.span, "'inputs' is an empty list", `list the journals the fold reads, e.g. ['${JOURNAL_PREFIX}finance/**']`);
    for (const item of items) {
      const g = c.string(item, 'an input', `a journal ref glob such as '${JOURNAL_PREFIX}finance/**'`);
      if (g !== undefined) {
        // The FAQ writes journal globs without 'refs/'; both spellings name the same refs.
        inputs.push(g.startsWith('gatos/') ? `refs/${g}` : g);
        origins.items.inputs.push({ node: item, fields: new Map() });
      }
    }
  }

  const reducers: ReducerSpec[] = [];
  const reducersEntry = fields.get('reducers');
  if (reducersEntry) {
    origins.sections.reducers = reducersEntry;
    const node = reducersEntry.value;
    if (node.kind !== 'seq') c.report(node.span, "'reducers' must be a list", "start each reducer with '- kind: ...'");
    else {
      for (const item of node.items) {
        const r = checkReducer(c, item, node.items.length);
        if (r) {
          reducers.push(r.spec);
          origins.items.reducers.push({ node: item, fields: r.fields });
        }
      }
    }
  }

  const emit: EmitSpec[] = [];
  const emitEntry = fields.get('emit');
  if (emitEntry) {
    origins.sections.emit = emitEntry;
    const node = emitEntry.value;
    if (node.kind !== 'seq') c.report(node.span, "'emit' must be a list", "start each entry with '- path: ...'");
    else {
      // With a single reducer 'from' may be left out; if that reducer had errors, they were reported already.
      const reducerCount = reducersEntry?.value.kind === 'seq' ? reducersEntry.value.items.length : 0;
      const only = reducerCount === 1 ? (reducers[0]?.name ?? DEFAULT_REDUCER_NAME) : undefined;
      for (const item of node.items) {
        const e = checkEmit(c, item, only);
        if (e) {
          emit.push(e.spec);
          origins.items.emit.push({ node: item, fields: e.fields });
        }
      }
    }
  }

  if (c.failed) return { diagnostics: c.diagnostics };
  const spec: FoldSpec = { version: YAML_FOLD_VERSION, inputs, reducers, emit };
  for (const p of specProblems(spec)) c.report(spanFor(origins, p.at), p.message, p.hint, p.severity);
  if (c.failed) return { diagnostics: c.diagnostics };
  const reducerLines = new Map(reducers.map((r, i) => [r.name, locate(text, (origins.items.reducers[i] as { node: YNode }).node.span.start).line] as const));
  return { spec, diagnostics: c.diagnostics, reducerLines };
}

function checkReducer(c: Checker, node: YNode, count: number): { spec: ReducerSpec; fields: Map<string, YEntry> } | undefined {
  const m = c.map(node, 'a reducer', "'- kind: map-join-lww'");
  if (!m) return undefined;
  const f = c.entries(m, REDUCER_KEYS, 'a reducer');
  const kindEntry = f.get('kind');
  let kind: ReducerKind | undefined;
  if (!kindEntry) c.report(m.span, "the reducer has no 'kind'", `choose one of ${REDUCER_KINDS.join(', ')}`);
  else {
    const k = c.string(kindEntry.value, "'kind'", `choose one of ${REDUCER_KINDS.join(', ')}`);
    if (k !== undefined) {
      if ((REDUCER_KINDS as readonly string[]).includes(k)) kind = k as ReducerKind;
      else {
        const guess = closest(k, REDUCER_KINDS);
        c.report(kindEntry.value.span, `unknown reducer kind '${k}'`, `${guess ? `did you mean '${guess}'? ` : ''}the kinds are ${REDUCER_KINDS.join(', ')}`);
      }
    }
  }
  const nameEntry = f.get('name');
  let name: string | undefined = DEFAULT_REDUCER_NAME;
  if (nameEntry) name = c.string(nameEntry.value, "'name'", "e.g. name: invoices");
  else if (count > 1) {
    c.report(m.span, "the reducer has no 'name'", 'with several reducers each needs a name, which emits refer to');
    name = undefined;
  }
  const spec: { -readonly [K in keyof ReducerSpec]: ReducerSpec[K] } = { name: name ?? '', kind: kind ?? 'min' };
  for (const sel of ['where', 'add', 'remove'] as const) {
    const e = f.get(sel);
    if (e) spec[sel] = c.selector(e.value, `'${sel}'`);
  }
  for (const p of ['key', 'value'] as const) {
    const e = f.get(p);
    if (e) spec[p] = c.keyPath(e.value, `'${p}'`);
  }
  if (name === undefined || kind === undefined) return undefined;
  return { spec, fields: f };
}

function checkEmit(c: Checker, node: YNode, only: string | undefined): { spec: EmitSpec; fields: Map<string, YEntry> } | undefined {
  const m = c.map(node, 'an emit entry', "'- path: state/x.json'");
  if (!m) return undefined;
  const f = c.entries(m, EMIT_KEYS, 'an emit entry');
  const pathEntry = f.get('path');
  let path: string | undefined;
  if (!pathEntry) c.report(m.span, "the emit entry has no 'path'", "e.g. path: 'state/finance/invoices.json'");
  else path = c.string(pathEntry.value, "'path'", "e.g. path: 'state/finance/invoices.json'");
  const fromEntry = f.get('from');
  let from: string | undefined = only;
  if (fromEntry) from = c.string(fromEntry.value, "'from'", 'name the reducer whose state this file shows');
  else if (only === undefined) c.report(m.span, "the emit entry has no 'from'", 'with several reducers, say which one this file shows');
  let view: EmitView = 'value';
  const viewEntry = f.get('view');
  if (viewEntry) {
    const v = c.string(viewEntry.value, "'view'", `one of ${EMIT_VIEWS.join(', ')}`);
    if (v !== undefined && !(EMIT_VIEWS as readonly string[]).includes(v)) {
      const guess = closest(v, EMIT_VIEWS);
      c.report(viewEntry.value.span, `unknown view '${v}'`, `${guess ? `did you mean '${guess}'? ` : ''}views are ${EMIT_VIEWS.join(', ')}`);
    } else if (v !== undefined) view = v as EmitView;
  }
  if (path === undefined || from === undefined) return undefined;
  return { spec: { path, from, view }, fields: f };
}

function spanFor(o: Origins, at: SpecPlace): Span {
  const item = at.index === undefined ? undefined : o.items[at.section][at.index];
  if (item) {
    const field = at.field === undefined ? undefined : item.fields.get(at.field);
    return field ? field.value.span : { start: item.node.span.start, end: item.node.span.start + 1 };
  }
  const section = o.sections[at.section];
  return section ? section.keySpan : { start: o.root.span.start, end: o.root.span.start + 1 };
}

function topHint(k: (typeof TOP_KEYS)[number]): string {
  switch (k) {
    case 'version':
      return `write 'version: ${YAML_FOLD_VERSION}' (the fold language version)`;
    case 'inputs':
      return `list the journals it reads, e.g. inputs: ['${JOURNAL_PREFIX}finance/**']`;
    case 'reducers':
      return "list what it computes, e.g. reducers: [{ kind: map-join-lww, key: '$.payload.id' }]";
    case 'emit':
      return "list the files it writes, e.g. emit: [{ path: 'state/finance/invoices.json' }]";
  }
}

function describe(n: YNode): string {
  if (n.kind === 'map') return 'a map';
  if (n.kind === 'seq') return 'a list';
  const v = n.value;
  if (v === null) return 'nothing';
  if (typeof v === 'string') return v.length ? `the string '${v}'` : 'an empty string';
  if (typeof v === 'bigint') return `the integer ${v}`;
  if (typeof v === 'number') return `the number ${v}`;
  return `${String(v)}`;
}
