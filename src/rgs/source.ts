/**
 * Reads the YAML shape of a .rgs file into rule sources, keeping for every
 * expression a map from its characters back to file offsets, so an error
 * deep inside a quoted condition points at the right line and column.
 */
import { isMap, isScalar, isSeq, parseDocument, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { PRODUCT_CODES } from '../core/codes';
import { locate, type Diagnostic, type SourceLocation } from '../core/diagnostic';
import { didYouMean } from '../core/suggest';
import { DEFAULT_DENY_ID, ID_PATTERN, LABEL_PATTERN } from './names';

export interface SourceFile {
  readonly file: string;
  readonly text: string;
}

/** One expression (or `when` value) and where its characters sit in the file. */
export interface Snippet {
  readonly text: string;
  readonly source: SourceFile;
  /** File offset of each character of `text`, plus one for the end. */
  readonly offsets: readonly number[];
}

export interface WhenEntry {
  readonly key: string;
  readonly keyLoc: SourceLocation;
  readonly values: readonly Snippet[];
}

export type WhenSource = { readonly kind: 'map'; readonly entries: readonly WhenEntry[] } | { readonly kind: 'expr'; readonly expr: Snippet };

export interface RuleSource {
  /** The written id; null when the rule has none (the compiler assigns one, see AUTO_ID_PREFIX). */
  readonly id: string | null;
  /** Where the id is written, or where the rule starts when it has none. */
  readonly idLoc: SourceLocation;
  readonly when?: WhenSource;
  readonly allow: readonly Snippet[];
  readonly deny: readonly Snippet[];
  readonly audit: boolean;
  readonly mode: 'enforce' | 'evaluate';
  readonly code: string | null;
  readonly reason: string | null;
}

export const RULE_KEYS = ['id', 'description', 'when', 'allow_if', 'deny_if', 'audit', 'mode', 'code', 'reason', 'quorum'] as const;
const TOP_KEYS: readonly string[] = ['rules', 'labels', 'version', 'description'];

/** One entry of a file's `labels:` table: refs whose path matches `glob` carry `labels`. */
export interface LabelSource {
  readonly glob: Snippet;
  readonly labels: readonly string[];
}
/** Ids the compiler assigns to rules written without one start with this; a written id may not. */
export const AUTO_ID_PREFIX = 'rule:';

export function snippetLocation(s: Snippet, start: number, end: number): SourceLocation {
  const from = s.offsets[Math.min(start, s.offsets.length - 1)] ?? 0;
  const lastChar = s.offsets[Math.max(start, Math.min(end, s.offsets.length - 1) - 1)] ?? from;
  const at = locate(s.source.text, from);
  const endAt = locate(s.source.text, lastChar);
  const length = endAt.line === at.line ? Math.max(1, lastChar - from + 1) : 1;
  return { file: s.source.file, line: at.line, column: at.column, length };
}

export function readRuleFile(source: SourceFile): { rules: RuleSource[]; labels: LabelSource[]; diagnostics: Diagnostic[] } {
  const r = new Reader(source);
  const rules = r.read();
  return { rules, labels: r.labels, diagnostics: r.diagnostics };
}

class Reader {
  readonly diagnostics: Diagnostic[] = [];
  readonly labels: LabelSource[] = [];
  constructor(private readonly src: SourceFile) {}

  private loc(offset: number, length = 1): SourceLocation {
    return { file: this.src.file, ...locate(this.src.text, offset), length: Math.max(1, length) };
  }

  private nodeLoc(node: Node | null | undefined): SourceLocation {
    const range = node?.range;
    if (!range) return this.loc(0);
    const firstLineEnd = this.src.text.indexOf('\n', range[0]);
    const end = firstLineEnd < 0 ? range[1] : Math.min(range[1], firstLineEnd);
    return this.loc(range[0], end - range[0]);
  }

  private error(location: SourceLocation, message: string, hint?: string): void {
    this.diagnostics.push(hint === undefined ? { severity: 'error', code: 'COMPILE_ERROR', message, location } : { severity: 'error', code: 'COMPILE_ERROR', message, location, hint });
  }

  read(): RuleSource[] {
    const doc = parseDocument(this.src.text, { uniqueKeys: true, prettyErrors: false, merge: false });
    for (const e of doc.errors) {
      this.error(this.loc(e.pos[0], e.pos[1] - e.pos[0]), `YAML: ${e.message.split('\n')[0] ?? e.message}`, yamlHint(e.code));
    }
    if (doc.errors.length > 0) return [];
    const top = doc.contents;
    if (top === null || (isScalar(top) && (top.value === null || top.value === ''))) {
      this.error(this.loc(0), 'the file holds no rules', 'write "rules:" followed by a list of rules, each with an id');
      return [];
    }
    if (!isMap(top)) {
      this.error(this.nodeLoc(top), 'expected a mapping with "rules:" (or a single rule)', 'see docs/rgs.md, "File shape"');
      return [];
    }
    if (!top.has('rules') && !top.has('labels')) {
      const rule = this.rule(top);
      return rule ? [rule] : [];
    }
    for (const pair of top.items) {
      const key = this.keyName(pair);
      if (key === undefined) continue;
      if (!TOP_KEYS.includes(key)) {
        this.error(this.nodeLoc(pair.key as Node), `unknown top-level key '${key}'`, didYouMean(key, TOP_KEYS, `the top level holds: ${TOP_KEYS.join(', ')}; rule keys go under a rule in the rules list`));
      }
      if (key === 'labels') this.readLabels(pair.value as Node | null);
      if (key === 'version') {
        const v = pair.value;
        if (!isScalar(v) || v.value !== 1) this.error(this.nodeLoc(v as Node), 'version must be 1', 'this compiler reads version 1 of the language');
      }
    }
    if (!top.has('rules')) return [];
    const list = top.get('rules', true);
    if (!isSeq(list)) {
      this.error(this.nodeLoc(list as Node), '"rules" must be a list of rules', 'start each rule with "- id: ..."');
      return [];
    }
    const rules: RuleSource[] = [];
    for (const item of list.items) {
      if (!isMap(item)) {
        this.error(this.nodeLoc(item as Node), 'each rule must be a mapping', 'write "- id: my-rule" followed by when/allow_if/deny_if');
        continue;
      }
      const rule = this.rule(item);
      if (rule) rules.push(rule);
    }
    return rules;
  }

  /** `labels: { "<path glob>": <label> | [<label>, ...] }` (docs/rgs.md, "Labels"). */
  private readLabels(node: Node | null): void {
    if (!isMap(node)) {
      this.error(this.nodeLoc(node), '"labels" must be a mapping from path globs to labels', 'e.g. labels: { "gatos/journal/hr/**": private }');
      return;
    }
    for (const pair of node.items) {
      const glob = this.snippet(pair.key as Node, 'a labels key (a path glob)', true);
      const v = pair.value as Node | null;
      const items = isSeq(v) ? (v.items as Node[]) : [v];
      if (isSeq(v) && v.items.length === 0) this.error(this.nodeLoc(v), 'an empty list of labels', 'list at least one label, or remove the entry');
      const labels: string[] = [];
      for (const item of items) {
        if (!isScalar(item) || typeof item.value !== 'string' || !LABEL_PATTERN.test(item.value)) {
          this.error(this.nodeLoc(item), 'a label is a name of letters, digits and . _ : - (at most 64, starting with a letter or digit)', "e.g. 'private' or 'pii:customer'");
          continue;
        }
        labels.push(item.value);
      }
      if (glob) this.labels.push({ glob, labels });
    }
  }

  private keyName(pair: Pair): string | undefined {
    const k = pair.key;
    if (isScalar(k) && typeof k.value === 'string') return k.value;
    this.error(this.nodeLoc(k as Node), 'keys must be plain names');
    return undefined;
  }

  private rule(map: YAMLMap): RuleSource | undefined {
    const before = this.diagnostics.length;
    for (const pair of map.items) {
      const key = this.keyName(pair);
      if (key !== undefined && !(RULE_KEYS as readonly string[]).includes(key)) {
        this.error(this.nodeLoc(pair.key as Node), `unknown rule key '${key}'`, didYouMean(key, RULE_KEYS, `a rule holds: ${RULE_KEYS.join(', ')}`));
      }
    }
    const idNode = map.get('id', true) as Node | undefined;
    let id: string | null = null;
    if (!idNode) {
      // No id: the compiler assigns one from the rule's compiled bytes (compile.ts, autoRuleId).
    } else if (!isScalar(idNode) || typeof idNode.value !== 'string' || !ID_PATTERN.test(idNode.value)) {
      this.error(this.nodeLoc(idNode), 'a rule id is a name of letters, digits and . _ : / - (at most 128, starting with a letter or digit)', "e.g. 'journal-append' or 'finance/journal.append'");
    } else if (idNode.value === DEFAULT_DENY_ID) {
      this.error(this.nodeLoc(idNode), `'${DEFAULT_DENY_ID}' is reserved for denials no rule decided`, 'choose another id');
    } else if (idNode.value.startsWith(AUTO_ID_PREFIX)) {
      this.error(this.nodeLoc(idNode), `ids starting with '${AUTO_ID_PREFIX}' are the ones the compiler assigns to rules without an id`, "choose another id, e.g. 'finance/append'");
    } else {
      id = idNode.value;
    }
    const when = this.when(map.get('when', true) as Node | undefined);
    const quorum = this.quorum(map.get('quorum', true) as Node | undefined);
    const allow = [...this.conditions(map, 'allow_if'), ...(quorum ? [quorum] : [])];
    const deny = this.conditions(map, 'deny_if');
    if (!map.has('allow_if') && !map.has('deny_if') && !map.has('quorum')) {
      this.error(this.nodeLoc(idNode ?? map), 'this rule has neither allow_if nor deny_if', 'a rule allows with allow_if (all must hold) or denies with deny_if (any may hold); write allow_if: true to allow whatever `when` matches');
    }
    const audit = this.flag(map, 'audit');
    const mode = this.choice(map, 'mode', ['enforce', 'evaluate']) ?? 'enforce';
    const code = this.choice(map, 'code', PRODUCT_CODES) ?? null;
    const reasonNode = map.get('reason', true) as Node | undefined;
    let reason: string | null = null;
    if (reasonNode !== undefined) {
      if (!isScalar(reasonNode) || typeof reasonNode.value !== 'string' || reasonNode.value.trim() === '') this.error(this.nodeLoc(reasonNode), 'reason must be a non-empty string');
      else reason = reasonNode.value;
    }
    if (this.diagnostics.length > before) return undefined;
    return { id, idLoc: this.nodeLoc(idNode ?? map), ...(when ? { when } : {}), allow, deny, audit, mode: mode as 'enforce' | 'evaluate', code, reason };
  }

  /**
   * `quorum: { of: "@leads", at_least: 2 }`: one more allow_if requirement,
   * `quorum('@leads', 2)`, whose characters all point at the quorum's value
   * so the checker's errors land there (docs/rgs.md, "Quorum").
   */
  private quorum(node: Node | undefined): Snippet | undefined {
    if (node === undefined) return undefined;
    const hint = 'write quorum: { of: "@leads", at_least: 2 } (a trust-graph group and a count of 1 or more)';
    if (!isMap(node)) {
      this.error(this.nodeLoc(node), 'quorum must be a mapping with "of" and "at_least"', hint);
      return undefined;
    }
    for (const pair of node.items) {
      const key = this.keyName(pair);
      if (key !== undefined && key !== 'of' && key !== 'at_least') this.error(this.nodeLoc(pair.key as Node), `unknown quorum key '${key}'`, didYouMean(key, ['of', 'at_least'], hint));
    }
    const of = node.get('of', true) as Node | undefined;
    const n = node.get('at_least', true) as Node | undefined;
    if (!isScalar(of) || typeof of.value !== 'string') {
      this.error(this.nodeLoc(of ?? node), 'quorum.of must be a group written with "@", e.g. "@leads"', hint);
      return undefined;
    }
    if (!isScalar(n) || typeof n.value !== 'number' || !Number.isSafeInteger(n.value) || n.value < 1) {
      this.error(this.nodeLoc(n ?? node), 'quorum.at_least must be a whole number of 1 or more', hint);
      return undefined;
    }
    const text = `quorum('${of.value.replace(/['\\]/g, '\\$&')}', ${n.value})`;
    const at = of.range?.[0] ?? 0;
    return { text, source: this.src, offsets: Array.from({ length: text.length + 1 }, () => at) };
  }

  private flag(map: YAMLMap, key: string): boolean {
    const node = map.get(key, true) as Node | undefined;
    if (node === undefined) return false;
    if (isScalar(node) && typeof node.value === 'boolean') return node.value;
    this.error(this.nodeLoc(node), `${key} must be true or false`);
    return false;
  }

  private choice(map: YAMLMap, key: string, allowed: readonly string[]): string | undefined {
    const node = map.get(key, true) as Node | undefined;
    if (node === undefined) return undefined;
    if (isScalar(node) && typeof node.value === 'string' && allowed.includes(node.value)) return node.value;
    const got = isScalar(node) ? String(node.value) : '';
    this.error(this.nodeLoc(node), `${key} must be one of ${allowed.join(', ')}`, didYouMean(got, allowed, `write ${key}: ${allowed[0] ?? ''}`));
    return undefined;
  }

  private conditions(map: YAMLMap, key: string): Snippet[] {
    const node = map.get(key, true) as Node | undefined;
    if (node === undefined) return [];
    if (isSeq(node)) {
      if (node.items.length === 0) this.error(this.nodeLoc(node), `${key} is an empty list`, 'write at least one condition, or remove the key');
      return node.items.flatMap((item) => {
        const s = this.snippet(item as Node, `a condition in ${key}`);
        return s ? [s] : [];
      });
    }
    const s = this.snippet(node, key);
    return s ? [s] : [];
  }

  private when(node: Node | undefined): WhenSource | undefined {
    if (node === undefined) return undefined;
    if (!isMap(node)) {
      const expr = this.snippet(node, 'when');
      return expr ? { kind: 'expr', expr } : undefined;
    }
    const entries: WhenEntry[] = [];
    for (const pair of node.items) {
      const key = this.keyName(pair);
      if (key === undefined) continue;
      const v = pair.value as Node | null;
      const items = isSeq(v) ? (v.items as Node[]) : [v];
      if (isSeq(v) && v.items.length === 0) this.error(this.nodeLoc(v), `when.${key} is an empty list`, 'list at least one value, or remove the key');
      const values = items.flatMap((item) => {
        const s = this.snippet(item, `when.${key}`, true);
        return s ? [s] : [];
      });
      entries.push({ key, keyLoc: this.nodeLoc(pair.key as Node), values });
    }
    return { kind: 'map', entries };
  }

  /** A string (or true/false) scalar as an expression snippet. */
  private snippet(node: Node | null | undefined, what: string, valueOnly = false): Snippet | undefined {
    if (!node || !isScalar(node) || !(typeof node.value === 'string' || (!valueOnly && typeof node.value === 'boolean'))) {
      this.error(this.nodeLoc(node), `${what} must be ${valueOnly ? 'a string or a list of strings' : 'a quoted condition'}`, valueOnly ? undefined : "e.g. \"has_cap('journal:append')\"");
      return undefined;
    }
    const text = typeof node.value === 'boolean' ? String(node.value) : node.value;
    return { text, source: this.src, offsets: alignOffsets(text, this.src.text, node) };
  }
}

/**
 * Maps each character of a scalar's value to its offset in the file by
 * walking the source alongside the value: quotes, escapes and folded line
 * breaks are skipped over. Exact for plain and quoted one-line scalars,
 * close for block scalars; it never throws.
 */
function alignOffsets(value: string, file: string, node: Scalar): number[] {
  const [start, end] = node.range ?? [0, 0];
  let p = start + (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE' ? 1 : 0);
  const out: number[] = [];
  for (const c of value) {
    let q = p;
    while (q < end && file[q] !== c && !(c === ' ' && file[q] === '\n')) q++;
    if (q >= end) q = Math.min(p, Math.max(start, end - 1));
    out.push(q);
    for (let k = 1; k < c.length; k++) out.push(q + k);
    p = q + c.length;
  }
  out.push(Math.min(p, end));
  return out;
}

function yamlHint(code: string): string | undefined {
  if (code === 'DUPLICATE_KEY') return 'each key may appear once in a mapping; a rule with two allow_if keys would silently drop one';
  if (code === 'BAD_INDENT' || code === 'MISSING_CHAR') return 'check the indentation and the closing brackets';
  if (code === 'BLOCK_AS_IMPLICIT_KEY' || code === 'MULTILINE_IMPLICIT_KEY') return "a condition containing ': ' must be quoted";
  return 'quote conditions that contain YAML punctuation such as : # { } [ ]';
}
