import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compilePolicy } from '../../src/rgs';
import { runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';

const FIXTURES = path.resolve(__dirname, '../fixtures/rgs');
const PUSH_GATE = path.join(FIXTURES, 'push-gate');

describe('gatos policyc', () => {
  test('compiles a directory, writes the .rgc and prints policy_root = sha256 of the bytes', () => {
    const out = path.join(tmpDir(), 'policy.rgc');
    const r = runCli(['policyc', PUSH_GATE, '-o', out]);
    expect(r.status).toBe(0);
    const bytes = readFileSync(out);
    const { createHash } = jest.requireActual('node:crypto') as typeof import('node:crypto');
    expect(r.stdout).toBe(`policy_root = sha256:${createHash('sha256').update(bytes).digest('hex')}\n`);
    const sources = ['branches.rgs', 'journal.rgs'].map((f) => ({ file: f, text: readFileSync(path.join(PUSH_GATE, f), 'utf8') }));
    const lib = compilePolicy(sources);
    expect(lib.ok && Buffer.from(lib.value.bytes).equals(bytes)).toBe(true);
  });

  test('a source error exits 2 with file:line:col, a caret and a hint, and writes nothing', () => {
    const dir = tmpDir();
    const src = path.join(dir, 'bad.rgs');
    writeFileSync(src, 'rules:\n  - id: x\n    allow_if: "has_cpa(\'journal:append\')"\n');
    const out = path.join(dir, 'out.rgc');
    const r = runCli(['policyc', src, '-o', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${src}:3:16: error: unknown predicate 'has_cpa' [COMPILE_ERROR]`);
    expect(r.stderr).toContain('    3 |     allow_if: "has_cpa(\'journal:append\')"');
    expect(r.stderr).toContain('      |                ^^^^^^^');
    expect(r.stderr).toContain("hint: did you mean 'has_cap'?");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(() => readFileSync(out)).toThrow();
  });

  test('warnings are printed but do not fail the compile', () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'p.rgs'), 'rules:\n  - id: secret\n    when: { path: "secret/*" }\n    deny_if: true\n');
    const r = runCli(['policyc', dir, '-o', path.join(dir, 'p.rgc')]);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain("warning: 'secret/*' matches direct children only");
  });

  test('a missing source exits 2 with NOT_FOUND', () => {
    const r = runCli(['policyc', '/nonexistent/x.rgs', '-o', '/tmp/x.rgc']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('error[NOT_FOUND]');
  });
});

describe('gatos policy test', () => {
  test('passing fixtures exit 0 and list every test', () => {
    const r = runCli(['policy', 'test', PUSH_GATE]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('ok   ');
    expect(r.stdout).toMatch(/8 passed, 0 failed/);
  });

  test('a failing fixture shows the request, the expected and the actual decision with rule ids; exit 1', () => {
    const r = runCli(['policy', 'test', path.join(FIXTURES, 'failing')]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('FAIL ');
    expect(r.stdout).toContain('this expectation is wrong on purpose');
    expect(r.stdout).toContain('  request:  {"intent":"write","ref":"refs/heads/main","actor":{"id":"agent:ci","kind":"agent"}}');
    expect(r.stdout).toContain('  expected: allow by main-users-only');
    expect(r.stdout).toContain("  actual:   deny by main-users-only [POLICY_DENY]: requirement not met: actor.kind == 'user' (where actor.kind = 'agent')");
    expect(r.stdout).toContain('1 passed, 1 failed');
  });

  test('a typo in a fixture request is reported, not silently denied', () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'p.rgs'), 'rules:\n  - id: any\n    allow_if: true\n');
    writeFileSync(path.join(dir, 'a.test.json'), JSON.stringify({ tests: [{ name: 't', request: { lables: [] }, expect: { effect: 'allow' } }] }));
    const r = runCli(['policy', 'test', dir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("request: unknown attribute 'lables' (did you mean 'labels'?)");
  });

  test('a malformed fixture file exits 2 with its location', () => {
    const dir = tmpDir();
    writeFileSync(path.join(dir, 'p.rgs'), 'rules:\n  - id: any\n    allow_if: true\n');
    writeFileSync(path.join(dir, 'a.test.yaml'), 'tests:\n  - name: t\n    request: {}\n    expect: { effect: maybe }\n');
    const r = runCli(['policy', 'test', dir]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('tests[0]: expect.effect must be allow or deny');
  });

  test('policy without a subcommand exits 2', () => {
    expect(runCli(['policy']).status).toBe(2);
  });
});

describe('gatos policy explain', () => {
  const dir = tmpDir();
  const rgc = path.join(dir, 'p.rgc');
  const req = path.join(dir, 'req.json');
  beforeAll(() => {
    expect(runCli(['policyc', PUSH_GATE, '-o', rgc]).status).toBe(0);
    writeFileSync(req, JSON.stringify({ intent: 'write', ref: 'refs/gatos/journal/finance/user/bob', ns: 'finance', paths: ['gatos/journal/finance/x'], actor: { id: 'user:bob', kind: 'user', name: 'bob' }, caps: {}, trust: { 'user:bob': { level: 2 } }, labels: [], remote: 'internal', now: 5 }));
  });

  test('shows the decision and, per rule, the value of every condition; a deny exits 1', () => {
    const r = runCli(['policy', 'explain', rgc, req]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("decision: DENY journal/finance-append [POLICY_DENY]\n  reason: actor user:bob lacks capability 'journal:append'");
    expect(r.stdout).toContain('  journal/finance-append: deny');
    expect(r.stdout).toMatch(/allow_if +false +has_cap\('journal:append'\)/);
    expect(r.stdout).toMatch(/ {2}journal\/append-only: not-applicable\n +when +false/);
  });

  test('--json gives the same decision as data', () => {
    const r = runCli(['policy', 'explain', rgc, req, '--json']);
    const ex = JSON.parse(r.stdout) as { decision: { effect: string; rule_id: string }; rules: { id: string; outcome: string }[] };
    expect(ex.decision).toMatchObject({ effect: 'deny', rule_id: 'journal/finance-append' });
    expect(ex.rules.find((x) => x.id === 'journal/own-ref')?.outcome).toBe('allow');
  });

  test('malformed .rgc bytes are refused, never evaluated', () => {
    const bytes = readFileSync(rgc);
    const broken = path.join(dir, 'broken.rgc');
    writeFileSync(broken, bytes.subarray(0, bytes.length - 3));
    const r = runCli(['policy', 'explain', broken, req]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/error\[(ENCODING_INVALID|ARTIFACT_INVALID)\]: compiled policy/);
    expect(r.stdout).toBe('');
  });

  test('a request that is not JSON exits 2', () => {
    writeFileSync(path.join(dir, 'bad.json'), '{intent: write');
    const r = runCli(['policy', 'explain', rgc, path.join(dir, 'bad.json')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('not valid JSON');
  });
});
