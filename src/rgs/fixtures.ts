/**
 * The `gatos policy test` fixture format (docs/rgs.md, "Policy tests"): a
 * YAML or JSON file holding `tests:`, a list of {name, request, expect,
 * malformed?}; and how one fixture is checked against a loaded policy: the
 * request against the schema (unless malformed on purpose), then the
 * decision against the expectation. Pure: the caller reads the files.
 */
import { parse as parseYaml } from 'yaml';
import { err, gateError, ok, type Result } from '../core/result';
import type { Decision } from './decide';
import type { CompiledPolicy } from './load';
import { evaluate } from './decide';
import { checkRequest } from './request';

export interface Expectation {
  readonly effect: 'allow' | 'deny';
  /** deny: the deciding rule id. */
  readonly rule?: string;
  /** allow: the allowing rule ids (any order). */
  readonly rules?: readonly string[];
  readonly code?: string;
  readonly reason?: string;
  readonly reason_contains?: string;
  /** ids of rules in evaluate mode that would deny. */
  readonly would_deny?: readonly string[];
}

export interface Fixture {
  /** The file as the caller named it (for messages). */
  readonly file: string;
  readonly name: string;
  readonly request: unknown;
  readonly expect: Expectation;
  /** The request is malformed on purpose (testing fail-closed behaviour): do not check it against the schema. */
  readonly malformed: boolean;
}

/** A fixture checked: the decision, and every way it (or the request) differs from what was expected. */
export interface FixtureRun {
  readonly actual: Decision;
  readonly mismatches: readonly string[];
}

const EXPECT_KEYS: readonly string[] = ['effect', 'rule', 'rules', 'code', 'reason', 'reason_contains', 'would_deny'];
const TEST_KEYS: readonly string[] = ['name', 'request', 'expect', 'malformed'];
const SHAPE_HINT = 'each test is {name, request, expect: {effect: allow|deny, rule?, rules?, code?, reason?, reason_contains?, would_deny?}}';

/** Whether a file name is a fixture file's. */
export const isFixtureFile = (name: string): boolean => /\.test\.(ya?ml|json)$/.test(name);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The fixtures of one file's text (JSON when `file` ends in .json, else YAML with unique keys). */
export function parseFixtures(text: string, file: string): Result<Fixture[]> {
  let doc: unknown;
  try {
    doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    return err(gateError('USAGE', `${file}: cannot parse: ${e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e)}`, { hint: 'a fixture file holds "tests:" with a list of {name, request, expect}' }));
  }
  const list = isRecord(doc) && Array.isArray(doc.tests) ? doc.tests : Array.isArray(doc) ? doc : undefined;
  if (!list) return err(gateError('USAGE', `${file}: expected "tests:" with a list of tests`, { hint: 'each test is {name, request, expect: {effect: allow|deny, rule, code, reason}}' }));
  const out: Fixture[] = [];
  for (const [i, t] of list.entries()) {
    const f = fixture(file, t, i);
    if (!f.ok) return f;
    out.push(f.value);
  }
  return ok(out);
}

function fixture(file: string, t: unknown, i: number): Result<Fixture> {
  const bad = (msg: string) => err(gateError('USAGE', `${file}: tests[${i}]: ${msg}`, { hint: SHAPE_HINT }));
  if (!isRecord(t)) return bad('a test must be a mapping');
  const unknownKey = Object.keys(t).find((k) => !TEST_KEYS.includes(k));
  if (unknownKey !== undefined) return bad(`unknown key '${unknownKey}'`);
  if (typeof t.name !== 'string' || t.name === '') return bad('name must be a non-empty string');
  if (!('request' in t)) return bad('request is missing');
  const e = t.expect;
  if (!isRecord(e)) return bad('expect must be a mapping');
  const unknownExpect = Object.keys(e).find((k) => !EXPECT_KEYS.includes(k));
  if (unknownExpect !== undefined) return bad(`unknown expect key '${unknownExpect}'`);
  if (e.effect !== 'allow' && e.effect !== 'deny') return bad('expect.effect must be allow or deny');
  for (const k of ['rule', 'code', 'reason', 'reason_contains']) if (k in e && typeof e[k] !== 'string') return bad(`expect.${k} must be a string`);
  for (const k of ['rules', 'would_deny']) if (k in e && !(Array.isArray(e[k]) && (e[k] as unknown[]).every((x) => typeof x === 'string'))) return bad(`expect.${k} must be a list of rule ids`);
  return ok({ file, name: t.name, request: t.request, expect: e as unknown as Expectation, malformed: t.malformed === true });
}

/** Every way `got` differs from `want` (empty when it matches). */
export function compareDecision(want: Expectation, got: Decision): string[] {
  const out: string[] = [];
  if (want.effect !== got.effect) out.push(`effect: expected ${want.effect}, got ${got.effect}`);
  if (got.effect === 'deny') {
    if (want.rule !== undefined && want.rule !== got.ruleId) out.push(`deciding rule: expected ${want.rule}, got ${got.ruleId}`);
    if (want.code !== undefined && want.code !== got.code) out.push(`code: expected ${want.code}, got ${got.code}`);
    if (want.reason !== undefined && want.reason !== got.reason) out.push(`reason: expected "${want.reason}", got "${got.reason}"`);
    if (want.reason_contains !== undefined && !got.reason.includes(want.reason_contains)) out.push(`reason does not contain "${want.reason_contains}"`);
  } else if (want.rules !== undefined && [...want.rules].sort().join(',') !== got.ruleIds.join(',')) {
    out.push(`allowing rules: expected ${[...want.rules].sort().join(', ')}, got ${got.ruleIds.join(', ')}`);
  }
  const dry = got.evaluate.map((d) => d.ruleId).join(',');
  if (want.would_deny !== undefined && [...want.would_deny].sort().join(',') !== dry) out.push(`would deny (evaluate mode): expected [${want.would_deny.join(', ')}], got [${dry}]`);
  return out;
}

/** One fixture against a policy: its request is checked against the schema unless it is malformed on purpose. */
export function runFixture(policy: CompiledPolicy, f: Fixture): FixtureRun {
  const problems = f.malformed ? [] : checkRequest(f.request).map((p) => `request: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
  const actual = evaluate(policy, f.request);
  return { actual, mismatches: [...problems, ...compareDecision(f.expect, actual)] };
}

export function describeExpectation(e: Expectation): string {
  if (e.effect === 'allow') return `allow${e.rules ? ` by ${e.rules.join(', ')}` : ''}`;
  return `deny${e.rule ? ` by ${e.rule}` : ''}${e.code ? ` [${e.code}]` : ''}${e.reason ? `: ${e.reason}` : ''}${e.reason_contains ? ` (reason containing "${e.reason_contains}")` : ''}`;
}

export function describeDecision(d: Decision): string {
  return d.effect === 'allow' ? `allow by ${d.ruleIds.join(', ')}` : `deny by ${d.ruleId} [${d.code}]: ${d.reason}`;
}
