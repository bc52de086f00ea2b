/**
 * `gatos policy test <dir>`: compile the .rgs files in <dir> and run the
 * fixtures beside them (*.test.yaml / *.test.json: request -> expected
 * decision), like `opa test`. A failure shows the request, the expected and
 * the actual decision with rule ids. Exit 1 when any fixture fails.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { CommandModule } from 'yargs';
import { checkRequest, compilePolicy, evaluate, loadPolicy, type Decision } from '../../../rgs';
import { CliError, EXIT, setExitCode } from '../../errors';
import { JSON_OPTION, printJson } from '../../json';
import { listFiles, printDiagnostics, readSources } from './sources';

interface Args {
  dir: string;
  json: boolean;
}

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
  readonly file: string;
  readonly name: string;
  readonly request: unknown;
  readonly expect: Expectation;
  /** The request is malformed on purpose (testing fail-closed behaviour): do not check it against the schema. */
  readonly malformed: boolean;
}

const EXPECT_KEYS = ['effect', 'rule', 'rules', 'code', 'reason', 'reason_contains', 'would_deny'];
const TEST_KEYS = ['name', 'request', 'expect', 'malformed'];

export const policyTestCommand: CommandModule<object, Args> = {
  command: 'test <dir>',
  describe: 'Compile the policy in <dir> and check its fixtures (*.test.yaml, *.test.json): request -> expected decision',
  builder: (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'directory with .rgs sources and *.test.yaml fixtures' }).options(JSON_OPTION),
  handler: (args) => {
    const sources = readSources(args.dir);
    const compiled = compilePolicy(sources);
    if (!compiled.ok) {
      printDiagnostics(compiled.error, sources);
      throw new CliError('COMPILE_ERROR', `the policy in ${args.dir} does not compile`, 'fix the errors above, then run the tests again');
    }
    printDiagnostics(compiled.value.warnings, sources);
    const policy = loadPolicy(compiled.value.bytes);
    if (!policy.ok) throw CliError.from(policy.error, EXIT.INTERNAL);
    const fixtures = listFiles(args.dir, (n) => /\.test\.(ya?ml|json)$/.test(n)).flatMap(readFixtures);
    if (fixtures.length === 0) throw new CliError('NOT_FOUND', `${args.dir}: no fixtures (*.test.yaml or *.test.json) found`, 'see docs/rgs.md, "Policy tests"');
    let failed = 0;
    const results: { file: string; name: string; ok: boolean; mismatches: string[] }[] = [];
    for (const f of fixtures) {
      const problems = f.malformed ? [] : checkRequest(f.request).map((p) => `request: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
      const actual = evaluate(policy.value, f.request);
      const mismatches = [...problems, ...compare(f.expect, actual)];
      results.push({ file: f.file, name: f.name, ok: mismatches.length === 0, mismatches });
      if (args.json) {
        if (mismatches.length > 0) failed++;
        continue;
      }
      if (mismatches.length === 0) {
        process.stdout.write(`ok   ${f.file}: ${f.name}\n`);
        continue;
      }
      failed++;
      process.stdout.write(
        [
          `FAIL ${f.file}: ${f.name}`,
          `  request:  ${JSON.stringify(f.request)}`,
          `  expected: ${describeExpectation(f.expect)}`,
          `  actual:   ${describeDecision(actual)}`,
          ...mismatches.map((m) => `  - ${m}`),
        ].join('\n') + '\n',
      );
    }
    if (args.json) printJson({ policy_root: compiled.value.root, passed: fixtures.length - failed, failed, tests: results });
    else process.stdout.write(`\npolicy_root = ${compiled.value.root}\n${fixtures.length - failed} passed, ${failed} failed\n`);
    if (failed > 0) setExitCode(EXIT.NEGATIVE);
  },
};

function readFixtures(file: string): Fixture[] {
  const text = readFileSync(file, 'utf8');
  let doc: unknown;
  try {
    doc = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { uniqueKeys: true });
  } catch (e) {
    throw new CliError('USAGE', `${file}: cannot parse: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`, 'a fixture file holds "tests:" with a list of {name, request, expect}');
  }
  const list = isRecord(doc) && Array.isArray(doc.tests) ? doc.tests : Array.isArray(doc) ? doc : undefined;
  if (!list) throw new CliError('USAGE', `${file}: expected "tests:" with a list of tests`, 'each test is {name, request, expect: {effect: allow|deny, rule, code, reason}}');
  return list.map((t: unknown, i: number) => fixture(file, t, i));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fixture(file: string, t: unknown, i: number): Fixture {
  const at = `${file}: tests[${i}]`;
  const bad = (msg: string): never => {
    throw new CliError('USAGE', `${at}: ${msg}`, 'each test is {name, request, expect: {effect: allow|deny, rule?, rules?, code?, reason?, reason_contains?, would_deny?}}');
  };
  if (!isRecord(t)) return bad('a test must be a mapping');
  for (const k of Object.keys(t)) if (!TEST_KEYS.includes(k)) bad(`unknown key '${k}'`);
  if (typeof t.name !== 'string' || t.name === '') bad('name must be a non-empty string');
  if (!('request' in t)) bad('request is missing');
  const e = t.expect;
  if (!isRecord(e)) return bad('expect must be a mapping');
  for (const k of Object.keys(e)) if (!EXPECT_KEYS.includes(k)) bad(`unknown expect key '${k}'`);
  if (e.effect !== 'allow' && e.effect !== 'deny') bad('expect.effect must be allow or deny');
  for (const k of ['rule', 'code', 'reason', 'reason_contains']) if (k in e && typeof e[k] !== 'string') bad(`expect.${k} must be a string`);
  for (const k of ['rules', 'would_deny']) if (k in e && !(Array.isArray(e[k]) && (e[k] as unknown[]).every((x) => typeof x === 'string'))) bad(`expect.${k} must be a list of rule ids`);
  return { file: path.relative(process.cwd(), file) || file, name: t.name as string, request: t.request, expect: e as unknown as Expectation, malformed: t.malformed === true };
}

export function compare(want: Expectation, got: Decision): string[] {
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

function describeExpectation(e: Expectation): string {
  if (e.effect === 'allow') return `allow${e.rules ? ` by ${e.rules.join(', ')}` : ''}`;
  return `deny${e.rule ? ` by ${e.rule}` : ''}${e.code ? ` [${e.code}]` : ''}${e.reason ? `: ${e.reason}` : ''}${e.reason_contains ? ` (reason containing "${e.reason_contains}")` : ''}`;
}

function describeDecision(d: Decision): string {
  return d.effect === 'allow' ? `allow by ${d.ruleIds.join(', ')}` : `deny by ${d.ruleId} [${d.code}]: ${d.reason}`;
}
