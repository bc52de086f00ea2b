/**
 * The compiler: .rgs sources -> checked rules -> canonical DAG-CBOR (.rgc)
 * and its policy root. Rules are sorted by id, so neither the order of rules
 * nor the order or formatting of files changes the bytes.
 */
import { encodeCanonical } from '../canon/cbor';
import { sha256, sha256Text, type PrefixedDigest } from '../canon/digest';
import { toHex } from '../core/bytes';
import type { Diagnostic, SourceLocation } from '../core/diagnostic';
import { err, ok, type Result } from '../core/result';
import { builtin } from './builtins';
import { checkCondition, type ExprProblem } from './checker';
import { globProblem, isShallowSubtreeGlob } from '../core/glob';
import { RGC_FORMAT, RGC_VERSION, attrPath, type CompiledRule, type Ir, type RgcDocument } from './ir';
import { parseExpression } from './parser';
import { ACTOR_KINDS, INTENTS } from './schema';
import { AUTO_ID_PREFIX, readRuleFile, snippetLocation, type LabelSource, type RuleSource, type Snippet, type SourceFile, type WhenEntry, type WhenSource } from './source';
import { closest, didYouMean } from './suggest';
import { pathGlobProblem, REF_PATH_PREFIX } from './ref-path';

export interface CompileOutput {
  readonly bytes: Uint8Array;
  readonly root: PrefixedDigest;
  readonly document: RgcDocument;
  readonly warnings: readonly Diagnostic[];
  /** The ids the compiler assigned to rules written without one, with where each rule starts ("Compiler annotates rule ids"). */
  readonly assigned: readonly { readonly id: string; readonly location: SourceLocation }[];
}

export function compilePolicy(sources: readonly SourceFile[]): Result<CompileOutput, Diagnostic[]> {
  const diagnostics: Diagnostic[] = [];
  if (sources.length === 0) {
    return err([{ severity: 'error', code: 'COMPILE_ERROR', message: 'no policy sources given', location: { file: '<input>', line: 1, column: 1 }, hint: 'name a .rgs file or a directory holding .rgs files' }]);
  }
  const ruleSources: RuleSource[] = [];
  const labelSources: LabelSource[] = [];
  for (const src of sources) {
    const r = readRuleFile(src);
    diagnostics.push(...r.diagnostics);
    ruleSources.push(...r.rules);
    labelSources.push(...r.labels);
  }
  const labels = compileLabels(labelSources, diagnostics);
  const seen = new Map<string, SourceLocation>();
  const rules: CompiledRule[] = [];
  const assigned: { id: string; location: SourceLocation }[] = [];
  for (const rs of ruleSources) {
    const first = rs.id === null ? undefined : seen.get(rs.id);
    if (first) {
      diagnostics.push(error(rs.idLoc, `duplicate rule id '${rs.id ?? ''}'`, `ids are unique across all files; the first is at ${first.file}:${first.line}:${first.column}`));
      continue;
    }
    const rule = compileRule(rs, diagnostics);
    if (!rule) continue;
    if (rs.id === null) {
      const twin = seen.get(rule.id);
      if (twin) {
        diagnostics.push(error(rs.idLoc, `this rule without an id is the same rule as the one at ${twin.file}:${twin.line}:${twin.column} (both get the id '${rule.id}')`, 'remove one of them, or give each an id'));
        continue;
      }
    }
    seen.set(rule.id, rs.idLoc);
    if (rs.id === null) assigned.push({ id: rule.id, location: rs.idLoc });
    rules.push(rule);
  }
  if (diagnostics.some((d) => d.severity === 'error')) return err(diagnostics);
  if (rules.length === 0) {
    const at = { file: sources[0]?.file ?? '<input>', line: 1, column: 1 };
    diagnostics.push({ severity: 'warning', code: 'COMPILE_ERROR', message: 'the policy has no rules: every request will be denied', location: at });
  }
  rules.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const document: RgcDocument = Object.keys(labels).length > 0 ? { format: RGC_FORMAT, labels, rules, version: RGC_VERSION } : { format: RGC_FORMAT, version: RGC_VERSION, rules };
  const bytes = encodeCanonical(document);
  return ok({ bytes, root: sha256Text(bytes), document, warnings: diagnostics, assigned });
}

/**
 * The labels table of every file, merged: path glob -> sorted labels. The
 * same glob in two files carries the union of their labels.
 */
function compileLabels(entries: readonly LabelSource[], out: Diagnostic[]): Record<string, string[]> {
  const table = new Map<string, Set<string>>();
  for (const e of entries) {
    const at = snippetLocation(e.glob, 0, e.glob.text.length);
    const p = globProblem(e.glob.text);
    if (p) {
      out.push(error(at, p.message, p.hint));
      continue;
    }
    const never = pathGlobProblem(e.glob.text);
    if (never) out.push(warning(at, `the labels glob '${e.glob.text}' can match no ref the gate decides: ${never}`, "labels attach to refs by path, e.g. 'gatos/journal/hr/**'"));
    const set = table.get(e.glob.text) ?? new Set<string>();
    for (const l of e.labels) set.add(l);
    table.set(e.glob.text, set);
  }
  const result: Record<string, string[]> = {};
  for (const glob of [...table.keys()].sort()) result[glob] = [...(table.get(glob) as Set<string>)].sort();
  return result;
}

function error(location: SourceLocation, message: string, hint?: string): Diagnostic {
  return hint === undefined ? { severity: 'error', code: 'COMPILE_ERROR', message, location } : { severity: 'error', code: 'COMPILE_ERROR', message, location, hint };
}

function warning(location: SourceLocation, message: string, hint?: string): Diagnostic {
  return { ...error(location, message, hint), severity: 'warning', code: 'LINT' };
}

/**
 * The id of a rule written without one: `rule:` and the first 16 hex digits
 * of the SHA-256 of the rule's compiled body (its .rgc map without `id`, in
 * canonical DAG-CBOR). It depends on what the rule means, never on its file,
 * its position, its spelling or its comments, so the .rgc bytes stay
 * independent of the split into files and of formatting (decision 0021).
 */
export function autoRuleId(body: Omit<CompiledRule, 'id'>): string {
  return `${AUTO_ID_PREFIX}${toHex(sha256(encodeCanonical(body))).slice(0, 16)}`;
}

function compileRule(rs: RuleSource, out: Diagnostic[]): CompiledRule | undefined {
  const before = out.filter((d) => d.severity === 'error').length;
  const hasDeny = rs.deny.length > 0;
  const when = rs.when ? compileWhen(rs.when, hasDeny, out) : null;
  const allow = rs.allow.map((s) => condition(s, false, out));
  const deny = rs.deny.map((s) => condition(s, true, out));
  if (out.filter((d) => d.severity === 'error').length > before) return undefined;
  const allowIr = allow as Ir[];
  const denyIr = deny as Ir[];
  const body = { mode: rs.mode, code: rs.code, audit: rs.audit, when, deny: denyIr, allow: allowIr, reason: rs.reason };
  const id = rs.id ?? autoRuleId(body);
  lintRule(id, rs.idLoc, when, allowIr, denyIr, out);
  return { id, ...body };
}

function problemToDiagnostic(s: Snippet, p: ExprProblem): Diagnostic {
  const location = snippetLocation(s, p.span.start, p.span.end);
  const d = p.severity === 'error' ? error(location, p.message, p.hint) : warning(location, p.message, p.hint);
  return d;
}

function condition(s: Snippet, denyContext: boolean, out: Diagnostic[]): Ir | undefined {
  const ast = parseExpression(s.text);
  if (!ast.ok) {
    out.push(problemToDiagnostic(s, { severity: 'error', ...ast.error }));
    return undefined;
  }
  const checked = checkCondition(ast.value, { denyContext });
  for (const p of checked.problems) out.push(problemToDiagnostic(s, p));
  return checked.ir;
}

/** `when` keys and how each lowers; a list of values means "any of them". */
const WHEN_KEYS = ['intent', 'ref', 'path', 'file', 'files', 'ns', 'actor', 'kind', 'label', 'labels', 'remote', 'transport'] as const;
const CANONICAL_KEY: Readonly<Record<string, string>> = { file: 'files', label: 'labels' };

function compileWhen(w: WhenSource, denyContext: boolean, out: Diagnostic[]): Ir | null {
  if (w.kind === 'expr') return condition(w.expr, denyContext, out) ?? null;
  const parts: { key: string; ir: Ir }[] = [];
  const used = new Map<string, string>();
  for (const entry of w.entries) {
    if (entry.key === 'paths') {
      out.push(error(entry.keyLoc, "when has no key 'paths'", "'path' matches the ref as a path (gatos/journal/finance/**); 'files' matches the paths of changed files (docs/rgs.md, \"when as a mapping\")"));
      continue;
    }
    if (!(WHEN_KEYS as readonly string[]).includes(entry.key)) {
      out.push(error(entry.keyLoc, `unknown when key '${entry.key}'`, didYouMean(entry.key, WHEN_KEYS, `when keys: ${WHEN_KEYS.join(', ')}; write other tests as an expression in allow_if or deny_if`)));
      continue;
    }
    const key = CANONICAL_KEY[entry.key] ?? entry.key;
    const other = used.get(key);
    if (other !== undefined) {
      out.push(error(entry.keyLoc, `when has both '${other}' and '${entry.key}'`, 'they mean the same; list all values under one key'));
      continue;
    }
    used.set(key, entry.key);
    const ir = whenEntry(key, entry, denyContext, out);
    if (ir) parts.push({ key, ir });
  }
  parts.sort((a, b) => (a.key < b.key ? -1 : 1));
  if (parts.length === 0) return null;
  if (parts.length === 1) return (parts[0] as { ir: Ir }).ir;
  return ['and', ...parts.map((p) => p.ir)];
}

function whenEntry(key: string, entry: WhenEntry, denyContext: boolean, out: Diagnostic[]): Ir | undefined {
  const values = entry.values.map((s) => s.text);
  let bad = false;
  const oneOf = (allowed: readonly string[], what: string) => {
    entry.values.forEach((s) => {
      if (!allowed.includes(s.text)) {
        bad = true;
        const near = closest(s.text, allowed);
        out.push(error(snippetLocation(s, 0, s.text.length), `'${s.text}' is not ${what}`, near ? `did you mean '${near}'? (one of ${allowed.join(', ')})` : `one of ${allowed.join(', ')}`));
      }
    });
  };
  const globs = () => {
    entry.values.forEach((s) => {
      const p = globProblem(s.text);
      if (p) {
        bad = true;
        out.push(error(snippetLocation(s, 0, s.text.length), p.message, p.hint));
      } else if (denyContext && isShallowSubtreeGlob(s.text)) {
        out.push(warning(snippetLocation(s, 0, s.text.length), `'${s.text}' matches direct children only; in a rule that denies it silently lets deeper names through (e.g. '${s.text.slice(0, -1)}a/b')`, `write '${s.text.slice(0, -1)}**' to cover the whole subtree ('*' never crosses '/')`));
      }
    });
  };
  const exact = (subject: Ir): Ir => {
    const unique = [...new Set(values)].sort();
    return unique.length === 1 ? ['eq', subject, ['lit', unique[0] as string]] : ['in', subject, ['set', unique]];
  };
  const anyOf = (make: (v: string) => Ir): Ir => {
    const unique = [...new Set(values)].sort();
    return unique.length === 1 ? make(unique[0] as string) : ['or', ...unique.map(make)];
  };
  let ir: Ir;
  switch (key) {
    case 'intent':
      oneOf(INTENTS, 'an intent');
      ir = exact(['attr', 'intent']);
      break;
    case 'kind':
      oneOf(ACTOR_KINDS, 'an actor kind');
      ir = exact(['get', ['attr', 'actor'], 'kind']);
      break;
    case 'remote':
    case 'transport':
      ir = exact(['attr', key]);
      break;
    case 'ref':
    case 'ns':
      globs();
      ir = anyOf((v) => ['call', 'glob', ['attr', key], ['lit', v]]);
      break;
    case 'actor':
      globs();
      ir = anyOf((v) => ['call', 'glob', ['get', ['attr', 'actor'], 'id'], ['lit', v]]);
      break;
    case 'path':
      globs();
      entry.values.forEach((s) => {
        const never = globProblem(s.text) ? undefined : pathGlobProblem(s.text);
        if (never) out.push(warning(snippetLocation(s, 0, s.text.length), `the path glob '${s.text}' can match no ref the gate decides: ${never}`, "'path' is the ref without 'refs/' (journals: gatos/journal/<ns>/**); to match the paths of changed files write 'files:'"));
      });
      ir = anyOf((v) => ['call', 'glob', ['attr', 'ref'], ['lit', `${REF_PATH_PREFIX}${v}`]]);
      break;
    case 'files':
      globs();
      ir = anyOf((v) => ['call', 'any_match', ['attr', 'paths'], ['lit', v]]);
      break;
    default:
      ir = anyOf((v) => ['call', 'label', ['lit', v]]);
      break;
  }
  return bad ? undefined : ir;
}

/** Cheap static checks: conditions that never depend on the request, and rules whose conditions contradict. */
function lintRule(id: string, at: SourceLocation, when: Ir | null, allow: readonly Ir[], deny: readonly Ir[], out: Diagnostic[]): void {
  const constant = (ir: Ir, what: string) => {
    if (ir[0] === 'lit' && ir[1] === true) return;
    if (isConstant(ir)) out.push(warning(at, `rule '${id}': ${what} does not depend on the request`, 'a constant condition usually means a typo (a quoted attribute name?)'));
  };
  if (when) constant(when, 'its when');
  allow.forEach((c) => constant(c, 'an allow_if condition'));
  deny.forEach((c) => constant(c, 'a deny_if condition'));
  const whenConflict = when ? contradiction([when]) : undefined;
  if (whenConflict) {
    out.push(warning(at, `rule '${id}' never applies: its when requires ${whenConflict}`, 'the rule is dead code; fix or remove it'));
    return;
  }
  const allowConflict = allow.length > 0 ? contradiction([...(when ? [when] : []), ...allow]) : undefined;
  if (allowConflict) out.push(warning(at, `rule '${id}' can never allow: its conditions require ${allowConflict}`, 'every request it applies to is denied; check the values in when and allow_if'));
}

function isConstant(ir: Ir): boolean {
  if (ir[0] === 'attr') return false;
  if (ir[0] === 'call' && (builtin(ir[1])?.reads.length ?? 0) > 0) return false;
  if (ir[0] === 'lit' || ir[0] === 'set') return true;
  return (ir.slice(1) as unknown[]).every((x) => !Array.isArray(x) || isConstant(x as unknown as Ir));
}

/** Looks for an attribute the conjunction pins to disjoint string values. */
function contradiction(conjuncts: readonly Ir[]): string | undefined {
  const allowed = new Map<string, Set<string>>();
  const flat = conjuncts.flatMap((c) => (c[0] === 'and' ? (c.slice(1) as Ir[]) : [c]));
  for (const c of flat) {
    let path: string | undefined;
    let values: readonly string[] | undefined;
    if (c[0] === 'eq' && c[2][0] === 'lit' && typeof c[2][1] === 'string') {
      path = attrPath(c[1]);
      values = [c[2][1]];
    } else if (c[0] === 'in' && c[2][0] === 'set') {
      path = attrPath(c[1]);
      values = c[2][1];
    }
    if (path === undefined || values === undefined) continue;
    const prev = allowed.get(path);
    const next = new Set(prev ? values.filter((v) => prev.has(v)) : values);
    if (next.size === 0) return `${path} to be in [${[...(prev ?? [])].sort().join(', ')}] and in [${[...values].sort().join(', ')}] at once`;
    allowed.set(path, next);
  }
  return undefined;
}
