/**
 * Stage 1 of the YAML fold compiler: text -> a small tree of located nodes.
 * The `yaml` package does the parsing (YAML 1.2 core schema, integers as
 * bigint so none is rounded); this stage keeps each node's source range
 * and refuses what a fold definition has no use for and what could make it
 * ambiguous: aliases, explicit tags, non-string keys, several documents.
 */
import { isAlias, isMap, isScalar, isSeq, parseAllDocuments, type Node as YamlNode } from 'yaml';

export interface Span {
  /** 0-based offsets into the source text. */
  readonly start: number;
  readonly end: number;
}

export type YScalarValue = null | boolean | bigint | number | string;

export type YNode =
  | { readonly kind: 'map'; readonly entries: readonly YEntry[]; readonly span: Span }
  | { readonly kind: 'seq'; readonly items: readonly YNode[]; readonly span: Span }
  | { readonly kind: 'scalar'; readonly value: YScalarValue; readonly quoted: boolean; readonly span: Span };

export interface YEntry {
  readonly key: string;
  readonly keySpan: Span;
  readonly value: YNode;
}

export interface SourceProblem {
  readonly span: Span;
  readonly message: string;
  readonly hint: string;
}

export function parseYamlSource(text: string): { ok: true; root: YNode } | { ok: false; problems: SourceProblem[] } {
  const docs = parseAllDocuments(text, { intAsBigInt: true, uniqueKeys: true, prettyErrors: false, strict: true, version: '1.2' });
  const list = Array.isArray(docs) ? docs : [];
  if (!Array.isArray(docs)) {
    // parseAllDocuments returns an EmptyStream for text with no document at all.
    return { ok: false, problems: [{ span: { start: 0, end: 0 }, message: 'the fold definition is empty', hint: 'start with "version: 1"' }] };
  }
  const problems: SourceProblem[] = [];
  for (const doc of list) {
    for (const e of doc.errors) {
      problems.push({ span: { start: e.pos[0], end: e.pos[1] }, message: `YAML syntax: ${e.message}`, hint: hintForYamlError(e.code) });
    }
  }
  if (problems.length) return { ok: false, problems };
  if (list.length > 1) {
    const second = list[1]?.range[0] ?? 0;
    return { ok: false, problems: [{ span: { start: second, end: second + 3 }, message: 'the file holds more than one YAML document', hint: 'one fold per file; remove the second document' }] };
  }
  const contents = list[0]?.contents;
  if (!contents) {
    return { ok: false, problems: [{ span: { start: 0, end: 0 }, message: 'the fold definition is empty', hint: 'start with "version: 1"' }] };
  }
  const root = convert(contents as YamlNode, problems);
  return problems.length || !root ? { ok: false, problems } : { ok: true, root };
}

function spanOf(node: { range?: [number, number, number] | null }): Span {
  const r = node.range;
  return r ? { start: r[0], end: r[1] } : { start: 0, end: 0 };
}

function convert(node: YamlNode, problems: SourceProblem[]): YNode | undefined {
  const span = spanOf(node);
  if (isAlias(node)) {
    problems.push({ span, message: 'aliases (*name) are not allowed in fold definitions', hint: 'write the value out in full; every fold must read the same to everyone' });
    return undefined;
  }
  if (node.tag !== undefined) {
    problems.push({ span, message: `the explicit tag '${node.tag}' is not allowed in fold definitions`, hint: 'remove the tag; values are strings, integers, booleans, lists and maps' });
    return undefined;
  }
  if (isMap(node)) {
    const entries: YEntry[] = [];
    for (const pair of node.items) {
      const k = pair.key as YamlNode | null;
      if (!k || !isScalar(k) || typeof k.value !== 'string') {
        problems.push({ span: k ? spanOf(k) : span, message: 'map keys must be plain strings', hint: 'write the key as a word, e.g. "kind:"' });
        continue;
      }
      const keySpan = spanOf(k);
      const rawValue = pair.value as YamlNode | null;
      const value: YNode | undefined = rawValue
        ? convert(rawValue, problems)
        : { kind: 'scalar', value: null, quoted: false, span: { start: keySpan.end, end: keySpan.end } };
      if (value) entries.push({ key: k.value, keySpan, value });
    }
    return { kind: 'map', entries, span };
  }
  if (isSeq(node)) {
    const items: YNode[] = [];
    for (const item of node.items) {
      const c = item ? convert(item as YamlNode, problems) : undefined;
      if (c) items.push(c);
    }
    return { kind: 'seq', items, span };
  }
  if (isScalar(node)) {
    const v = node.value;
    if (v === null || typeof v === 'boolean' || typeof v === 'bigint' || typeof v === 'number' || typeof v === 'string') {
      return { kind: 'scalar', value: v, quoted: node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE', span };
    }
    problems.push({ span, message: 'this value has a type fold definitions do not use', hint: 'use strings, integers, booleans, lists and maps' });
    return undefined;
  }
  problems.push({ span, message: 'unsupported YAML node', hint: 'use strings, integers, booleans, lists and maps' });
  return undefined;
}

function hintForYamlError(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once in a map; remove or rename one';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation and that brackets and quotes are closed';
    case 'TAB_AS_INDENT':
      return 'indent with spaces, not tabs';
    default:
      return 'see https://yaml.org/spec/1.2.2/ for the syntax';
  }
}
