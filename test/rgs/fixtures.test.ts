/**
 * The `gatos policy test` fixture format (src/rgs/fixtures.ts): parsing,
 * its errors (file and test index, what was expected), and checking a
 * fixture against a compiled policy, a failing one naming each mismatch.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expectOk } from '../../src/core/result';
import { compilePolicy, describeDecision, describeExpectation, loadPolicy, parseFixtures, runFixture, type CompiledPolicy, type Fixture } from '../../src/rgs';

const DIR = path.join(__dirname, '../fixtures/rgs/push-gate');

function pushGate(): CompiledPolicy {
  const sources = readdirSync(DIR).filter((f) => f.endsWith('.rgs')).sort().map((f) => ({ file: f, text: readFileSync(path.join(DIR, f), 'utf8') }));
  const compiled = compilePolicy(sources);
  if (!compiled.ok) throw new Error(compiled.error.map((d) => d.message).join('\n'));
  return expectOk(loadPolicy(compiled.value.bytes));
}

const REQUEST = {
  intent: 'write', ref: 'refs/gatos/journal/finance/user/bob', ns: 'finance', paths: ['gatos/journal/finance/2024/01.json'],
  actor: { id: 'user:bob', kind: 'user', name: 'bob', trust: 2, groups: [] }, caps: {}, trust: { 'user:bob': { level: 2 } },
  labels: [], remote: 'internal', now: 1700000000, commits: { count: 1, unsigned: 0, merges: 0 },
};

const one = (expect: object, extra: object = {}): Fixture => expectOk(parseFixtures(JSON.stringify({ tests: [{ name: 't', request: REQUEST, expect, ...extra }] }), 'x.test.json'))[0] as Fixture;

describe('parseFixtures', () => {
  test('reads the committed push-gate fixtures, and every one passes against its policy', () => {
    const fixtures = expectOk(parseFixtures(readFileSync(path.join(DIR, 'push-gate.test.yaml'), 'utf8'), 'push-gate.test.yaml'));
    expect(fixtures.length).toBeGreaterThan(3);
    const policy = pushGate();
    for (const f of fixtures) expect({ name: f.name, mismatches: runFixture(policy, f).mismatches }).toEqual({ name: f.name, mismatches: [] });
  });

  test('takes a bare list, JSON or YAML, and marks malformed requests', () => {
    const yaml = expectOk(parseFixtures('- name: a\n  request: 7\n  malformed: true\n  expect: { effect: deny }\n', 'a.test.yaml'));
    expect(yaml).toEqual([{ file: 'a.test.yaml', name: 'a', request: 7, expect: { effect: 'deny' }, malformed: true }]);
  });

  test.each([
    ['tests: [', 'a.test.yaml: cannot parse'],
    ['{"tests": [}', 'a.test.json: cannot parse'],
    ['tests: 3', 'expected "tests:" with a list of tests'],
    ['tests: [7]', 'tests[0]: a test must be a mapping'],
    ['tests: [{name: a, request: {}, expect: {effect: allow}, extra: 1}]', "tests[0]: unknown key 'extra'"],
    ['tests: [{name: "", request: {}, expect: {effect: allow}}]', 'tests[0]: name must be a non-empty string'],
    ['tests: [{name: a, expect: {effect: allow}}]', 'tests[0]: request is missing'],
    ['tests: [{name: a, request: {}, expect: {effect: maybe}}]', 'tests[0]: expect.effect must be allow or deny'],
    ['tests: [{name: a, request: {}, expect: {effect: deny, rul: x}}]', "tests[0]: unknown expect key 'rul'"],
    ['tests: [{name: a, request: {}, expect: {effect: deny, code: 3}}]', 'tests[0]: expect.code must be a string'],
    ['tests: [{name: a, request: {}, expect: {effect: allow, rules: [1]}}]', 'tests[0]: expect.rules must be a list of rule ids'],
    ['tests:\n  - name: a\n    name: b\n', 'cannot parse'],
  ])('refuses %j', (text, message) => {
    const file = text.startsWith('{') ? 'a.test.json' : 'a.test.yaml';
    const r = parseFixtures(text, file);
    expect(!r.ok && r.error.code).toBe('USAGE');
    expect(!r.ok && r.error.message).toContain(message);
    expect(!r.ok && r.error.message.startsWith(`${file}: `)).toBe(true);
  });
});

describe('runFixture', () => {
  const policy = pushGate();

  test('a matching expectation has no mismatches', () => {
    expect(runFixture(policy, one({ effect: 'deny', rule: 'journal/finance-append', code: 'POLICY_DENY', reason_contains: 'lacks capability' })).mismatches).toEqual([]);
  });

  test('names every field that differs', () => {
    const run = runFixture(policy, one({ effect: 'deny', rule: 'journal/other', code: 'CAP_EXPIRED', reason: 'no', reason_contains: 'zzz', would_deny: ['x'] }));
    expect(run.mismatches).toEqual([
      'deciding rule: expected journal/other, got journal/finance-append',
      'code: expected CAP_EXPIRED, got POLICY_DENY',
      `reason: expected "no", got "actor user:bob lacks capability 'journal:append'"`,
      'reason does not contain "zzz"',
      'would deny (evaluate mode): expected [x], got []',
    ]);
    expect(runFixture(policy, one({ effect: 'allow' })).mismatches).toEqual(['effect: expected allow, got deny']);
  });

  test('checks the request against the schema unless it is malformed on purpose', () => {
    const broken = { ...REQUEST, nonsense: 1 };
    const f = (malformed: boolean): Fixture => expectOk(parseFixtures(JSON.stringify([{ name: 'm', request: broken, malformed, expect: { effect: 'deny' } }]), 'm.test.json'))[0] as Fixture;
    expect(runFixture(policy, f(false)).mismatches.some((m) => m.startsWith("request: unknown attribute 'nonsense'"))).toBe(true);
    expect(runFixture(policy, f(true)).mismatches).toEqual([]);
  });

  test('describes expectations and decisions for a failure report', () => {
    expect(describeExpectation({ effect: 'deny', rule: 'r', code: 'POLICY_DENY', reason: 'why' })).toBe('deny by r [POLICY_DENY]: why');
    expect(describeExpectation({ effect: 'allow', rules: ['a', 'b'] })).toBe('allow by a, b');
    expect(describeDecision(runFixture(policy, one({ effect: 'deny' })).actual)).toBe("deny by journal/finance-append [POLICY_DENY]: actor user:bob lacks capability 'journal:append'");
  });
});
