/**
 * Loads .rgc bytes: strict canonical decoding, format and version check,
 * then a shape and type check of every rule while its closures are built.
 * Anything malformed is refused with a code; nothing unchecked is evaluated.
 */
import { decodeStrict } from '../canon/cbor';
import { sha256Text, type PrefixedDigest } from '../canon/digest';
import { PRODUCT_CODES } from '../core/codes';
import { err, gateError, ok, type Result } from '../core/result';
import { RGC_FORMAT, RGC_VERSION, type CompiledRule, type Ir } from './ir';
import { ArtifactProblem, prepare, type Fn } from './prepare';
import type { ReasonPlan } from './reason';
import { DEFAULT_DENY_ID, ID_PATTERN, LABEL_PATTERN } from './names';
import { globMatcher, globProblem } from '../core/glob';
import { REF_PATH_PREFIX } from './ref-path';
import { isObject, quotedValue } from './values';

export interface PreparedRule {
  readonly rule: CompiledRule;
  readonly when: Fn | null;
  readonly deny: readonly Fn[];
  readonly allow: readonly Fn[];
  /** Reason plans of the deny_if then allow_if conditions, filled in by reason.ts the first time each one decides. */
  readonly reasonPlans: (ReasonPlan | undefined)[];
}

/** One entry of the labels table: refs whose path matches carry the labels. */
export interface PreparedLabels {
  readonly glob: string;
  readonly matches: (ref: string) => boolean;
  readonly labels: readonly string[];
}

export interface CompiledPolicy {
  readonly root: PrefixedDigest;
  readonly rules: readonly PreparedRule[];
  readonly labels: readonly PreparedLabels[];
}

const RULE_KEYS: readonly string[] = ['allow', 'audit', 'code', 'deny', 'id', 'mode', 'reason', 'when'];

export function loadPolicy(bytes: Uint8Array, opts: { expectedRoot?: string } = {}): Result<CompiledPolicy> {
  const root = sha256Text(bytes);
  if (opts.expectedRoot !== undefined && opts.expectedRoot !== root) {
    return err(gateError('ARTIFACT_INVALID', `compiled policy digest ${root} does not match the expected policy root ${opts.expectedRoot}`, {
      hint: 'the .rgc bytes were changed or the wrong file was given; recompile with gatos policyc',
    }));
  }
  const decoded = decodeStrict(bytes, 'compiled policy');
  if (!decoded.ok) return decoded;
  return preparePolicy(root, decoded.value);
}

/**
 * A policy from its decoded document (what decodeStrict gives for .rgc bytes
 * of digest `root`): the shape and type checks and the closures of loadPolicy,
 * without the decoding. For a document kept since it was decoded (the cold
 * hooks' active-bundle record, src/push/bundle-record.ts).
 */
export function preparePolicy(root: PrefixedDigest, doc: unknown): Result<CompiledPolicy> {
  try {
    return ok({ root, ...readDocument(doc) });
  } catch (e) {
    if (e instanceof ArtifactProblem) {
      return err(gateError('ARTIFACT_INVALID', `compiled policy is malformed: ${e.message}`, { hint: 'recompile the policy with gatos policyc; never edit .rgc bytes by hand' }));
    }
    throw e;
  }
}

function refuse(message: string): never {
  throw new ArtifactProblem(message);
}

function exactKeys(o: Readonly<Record<string, unknown>>, keys: readonly string[], what: string): void {
  const got = Object.keys(o).sort();
  if (got.length !== keys.length || got.some((k, i) => k !== keys[i])) refuse(`${what} has keys [${got.join(', ')}], expected [${keys.join(', ')}]`);
}

function readDocument(doc: unknown): { rules: PreparedRule[]; labels: PreparedLabels[] } {
  if (!isObject(doc) || doc.format !== RGC_FORMAT) refuse(`not a compiled policy (format is not '${RGC_FORMAT}')`);
  if (doc.version !== RGC_VERSION) {
    throw new ArtifactProblem(`version ${quotedValue(doc.version)} is not supported; this gate reads version ${RGC_VERSION}`);
  }
  exactKeys(doc, doc.labels === undefined ? ['format', 'rules', 'version'] : ['format', 'labels', 'rules', 'version'], 'the document');
  if (!Array.isArray(doc.rules)) refuse('rules is not a list');
  return { rules: readRules(doc.rules), labels: doc.labels === undefined ? [] : readLabels(doc.labels) };
}

/** The labels table: a non-empty map of well-formed path globs to sorted, unique, non-empty label lists. */
function readLabels(table: unknown): PreparedLabels[] {
  if (!isObject(table) || Object.keys(table).length === 0) refuse('labels must be a non-empty map (absent when empty)');
  return Object.keys(table).sort().map((glob) => {
    if (globProblem(glob)) refuse(`labels: ${JSON.stringify(glob)} is not a glob`);
    const labels = table[glob];
    if (!Array.isArray(labels) || labels.length === 0) refuse(`labels[${JSON.stringify(glob)}] must be a non-empty list`);
    labels.forEach((l: unknown, i: number) => {
      if (typeof l !== 'string' || !LABEL_PATTERN.test(l)) refuse(`labels[${JSON.stringify(glob)}] holds a value that is not a label`);
      if (i > 0 && !((labels[i - 1] as string) < l)) refuse(`labels[${JSON.stringify(glob)}] must be sorted without duplicates`);
    });
    return { glob, matches: globMatcher(`${REF_PATH_PREFIX}${glob}`), labels: labels as string[] };
  });
}

function readRules(list: readonly unknown[]): PreparedRule[] {
  let previous: string | undefined;
  return list.map((r: unknown, i: number) => {
    const rule = readRule(r, i);
    if (previous !== undefined && !(previous < rule.rule.id)) refuse(`rules[${i}]: ids must be unique and sorted ('${previous}' then '${rule.rule.id}')`);
    previous = rule.rule.id;
    return rule;
  });
}

function readRule(r: unknown, i: number): PreparedRule {
  const at = `rules[${i}]`;
  if (!isObject(r)) refuse(`${at} is not a mapping`);
  exactKeys(r, RULE_KEYS, at);
  const { id, mode, code, audit, when, deny, allow, reason } = r;
  if (typeof id !== 'string' || !ID_PATTERN.test(id) || id === DEFAULT_DENY_ID) refuse(`${at}.id is not a valid rule id`);
  if (mode !== 'enforce' && mode !== 'evaluate') refuse(`${at}.mode must be enforce or evaluate`);
  if (code !== null && !(PRODUCT_CODES as readonly unknown[]).includes(code)) refuse(`${at}.code is not a product error code`);
  if (typeof audit !== 'boolean') refuse(`${at}.audit must be a bool`);
  if (reason !== null && (typeof reason !== 'string' || reason.trim() === '')) refuse(`${at}.reason must be null or text`);
  if (!Array.isArray(deny) || !Array.isArray(allow)) refuse(`${at}.deny and .allow must be lists`);
  if (deny.length === 0 && allow.length === 0) refuse(`${at} has neither allow nor deny conditions`);
  const condition = (x: unknown, where: string): Fn => {
    try {
      const p = prepare(x);
      if (p.type.kind !== 'bool') refuse('a condition must be a bool');
      return p.fn;
    } catch (e) {
      if (e instanceof ArtifactProblem) refuse(`${at}.${where}: ${e.message}`);
      throw e;
    }
  };
  const rule: CompiledRule = { id, mode, code: code as string | null, audit, when: (when ?? null) as Ir | null, deny: deny as Ir[], allow: allow as Ir[], reason: reason as string | null };
  return {
    rule,
    when: when === null ? null : condition(when, 'when'),
    deny: deny.map((d: unknown, j: number) => condition(d, `deny[${j}]`)),
    allow: allow.map((a: unknown, j: number) => condition(a, `allow[${j}]`)),
    reasonPlans: [],
  };
}
