/**
 * The decision log: the line format (fixed fields, one line, capped at
 * PIPE_BUF with the detail it dropped counted), its settings, rotation by
 * size under a lock, and the reader's cursor across a rotation. Plain
 * files in a temp dir; no git.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expectOk } from '../../src/core/result';
import { gateFailure, readGateConfig, type AuditContext, type Verdict } from '../../src/gate';
import { DECISION_LINE_MAX_BYTES, DEFAULT_DECISION_LOG, decisionLine, parseDecisionLine, type DecisionFacts } from '../../src/gate/decision-log';
import { checkGitSettings } from '../../src/gate/settings-check';
import { ROTATE_LOCK_SUFFIX, appendDecision, decisionLogPath, readDecisionLog } from '../../src/ops/decision-log';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const AT = Date.UTC(2026, 11, 4, 18, 0, 0, 250);

const ctx = (over: Partial<AuditContext> = {}): AuditContext => ({ hook: 'pre-receive', now: Math.floor(AT / 1000), mode: 'enforce', transport: 'ssh', updates: [{ ref: 'refs/heads/main', oldId: A, newId: B }], ...over });

const denied: Verdict = {
  accepted: false,
  decisions: [],
  denials: [
    { ref: 'refs/heads/main', code: 'FF_VIOLATION', ruleId: 'gate/ff-only', reason: 'not a fast-forward', enforced: true },
    { ref: 'refs/heads/main', code: 'POLICY_DENY', ruleId: 'branches/main', reason: 'dry run', enforced: false },
  ],
};

const facts = (over: Partial<DecisionFacts> = {}): DecisionFacts => ({
  atMs: AT,
  repo: '/srv/git/r.git',
  hook: 'pre-receive',
  via: 'cold',
  verdict: denied,
  exit: 1,
  audit: ctx({ actor: 'user:alice', hostUser: 'alice', policyRoot: B, policyCodeRoot: `sha256:${'c'.repeat(64)}` }),
  auditOutcome: 'recorded',
  durationMs: 12.4,
  eventsVerified: 3,
  budgetExceeded: false,
  ...over,
});

describe('decisionLine', () => {
  test('one line with the documented fields in a fixed order, read back by parseDecisionLine', () => {
    const line = decisionLine(facts());
    expect(line.endsWith('\n')).toBe(true);
    expect(line.indexOf('\n')).toBe(line.length - 1);
    expect(Object.keys(JSON.parse(line) as object)).toEqual(['version', 'time', 'repo', 'hook', 'via', 'mode', 'outcome', 'exit', 'code', 'rules', 'refs', 'resources', 'denials', 'actor', 'host_user', 'policy_root', 'policy_code_root', 'fold_root', 'duration_ms', 'events_verified', 'budget_exceeded', 'audit']);
    expect(JSON.parse(line)).toMatchObject({ time: '2026-12-04T18:00:00.250Z', outcome: 'refused', exit: 1, code: 'FF_VIOLATION', rules: ['gate/ff-only', 'branches/main'], refs: ['refs/heads/main'], actor: 'user:alice', policy_root: B, fold_root: null, duration_ms: 12, events_verified: 3, budget_exceeded: false });
    expect(decisionLine(facts())).toBe(line);
    expect(parseDecisionLine(line.trimEnd())).toMatchObject({ outcome: 'refused', code: 'FF_VIOLATION', policyRoot: B, eventsVerified: 3, denials: [{ ref: 'refs/heads/main', code: 'FF_VIOLATION', rule: 'gate/ff-only', enforced: true }, { enforced: false }] });
  });

  test('an accepted push has no code and names the rules that allowed it; the fold root is logged when the context has one', () => {
    const accepted: Verdict = { accepted: true, denials: [], decisions: [{ ref: 'refs/heads/main', oldId: A, newId: B, intent: 'update', allowed: true, denials: [], allowedBy: ['writers'], commits: [B], events: 1 }] };
    const withFold = { ...ctx(), foldRoot: `sha256:${'f'.repeat(64)}` } as AuditContext;
    const o = JSON.parse(decisionLine(facts({ verdict: accepted, exit: 0, auditOutcome: 'none', audit: withFold }))) as Record<string, unknown>;
    expect(o).toMatchObject({ outcome: 'accepted', code: null, rules: ['writers'], denials: [], fold_root: `sha256:${'f'.repeat(64)}`, actor: null });
  });

  test('a gate failure logs its code; a budget exceeded says so', () => {
    const o = JSON.parse(decisionLine(facts({ verdict: gateFailure('GATE_ERROR', 'took too long', [{ ref: 'refs/heads/x', oldId: A, newId: B }]), exit: 2, budgetExceeded: true }))) as Record<string, unknown>;
    expect(o).toMatchObject({ code: 'GATE_ERROR', exit: 2, budget_exceeded: true, rules: ['gate/error'] });
  });

  test('a push of 300 refs stays one line within PIPE_BUF and counts what it dropped', () => {
    const updates = Array.from({ length: 300 }, (_, i) => ({ ref: `refs/heads/feature/number-${i}`, oldId: A, newId: B }));
    const v: Verdict = { accepted: false, decisions: [], denials: updates.map((u) => ({ ref: u.ref, code: 'POLICY_DENY' as const, ruleId: `rule-${u.ref}`, reason: 'no', enforced: true })) };
    const line = decisionLine(facts({ verdict: v, audit: ctx({ updates }) }));
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(DECISION_LINE_MAX_BYTES);
    const o = JSON.parse(line) as { truncated: object; refs: string[]; denials: unknown[]; code: string };
    expect(o.truncated).toEqual({ rules: 300, refs: 300, denials: 300 });
    expect(o.refs.length).toBeGreaterThan(0);
    expect(o.refs[0]).toBe('refs/heads/feature/number-0');
    expect(o.code).toBe('POLICY_DENY');
    expect(parseDecisionLine(line.trimEnd())).toBeDefined();
  });

  test('parseDecisionLine refuses what this version does not write', () => {
    expect(parseDecisionLine('{"version":2}')).toBeUndefined();
    expect(parseDecisionLine('{"version":1,"time":"x"')).toBeUndefined();
    expect(parseDecisionLine('[]')).toBeUndefined();
  });
});

describe('gatos.decisionLog* settings', () => {
  test('defaults, values, and bad values refused with the expected range', () => {
    expect(expectOk(readGateConfig([])).decisionLog).toEqual(DEFAULT_DECISION_LOG);
    expect(expectOk(readGateConfig([['gatos.decisionlog', 'off'], ['gatos.decisionlogmaxbytes', '1048576'], ['gatos.decisionlogkeep', '2']])).decisionLog).toEqual({ enabled: false, maxBytes: 1048576, keep: 2 });
    const problems = checkGitSettings([['gatos.decisionlog', 'yes'], ['gatos.decisionlogmaxbytes', '100'], ['gatos.decisionlogkeep', '0']]);
    expect(problems.map((p) => p.where)).toEqual(['git config gatos.decisionLog', 'git config gatos.decisionLogMaxBytes', 'git config gatos.decisionLogKeep']);
    expect(problems[1]?.message).toMatch(/at least 65536/);
  });
});

describe('the log on disk', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'gatos-dlog-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const line = (i: number): string => decisionLine(facts({ durationMs: i }));

  test('appends lines, rotates by size keeping N files, and the reader follows across a rotation', () => {
    const settings = { enabled: true, maxBytes: Buffer.byteLength(line(10)) * 3, keep: 2 };
    const file = decisionLogPath(dir);
    expectOk(appendDecision(dir, line(0), settings));
    expectOk(appendDecision(dir, line(1), settings));
    const first = expectOk(readDecisionLog(file));
    expect(first.records.map((r) => r.durationMs)).toEqual([0, 1]);
    const rotatedAt: number[] = [];
    for (let i = 2; i < 11; i++) if (expectOk(appendDecision(dir, line(i), settings)).rotated) rotatedAt.push(i);
    expect(rotatedAt).toEqual([3, 6, 9]);
    expect(readdirSync(path.dirname(file)).sort()).toEqual(['decisions.log', 'decisions.log.1', 'decisions.log.2']);
    expect(expectOk(readDecisionLog(`${file}.2`)).records.map((r) => r.durationMs)).toEqual([3, 4, 5]);
    // Line 12 rotates the file the cursor points at (lines 9 to 11) to decisions.log.1: the reader finishes it, then reads the new file.
    const cursor = expectOk(readDecisionLog(file)).cursor;
    expectOk(appendDecision(dir, line(11), settings));
    expectOk(appendDecision(dir, line(12), settings));
    const next = expectOk(readDecisionLog(file, cursor));
    expect(next.records.map((r) => r.durationMs)).toEqual([11, 12]);
    expect(next.malformed).toBe(0);
  });

  test('a rotation lock held by another writer: the line is appended, the file not rotated', () => {
    const settings = { enabled: true, maxBytes: 1, keep: 1 };
    const file = decisionLogPath(dir);
    expectOk(appendDecision(dir, line(0), settings));
    writeFileSync(`${file}${ROTATE_LOCK_SUFFIX}`, '');
    expect(expectOk(appendDecision(dir, line(1), settings)).rotated).toBe(false);
    expect(readFileSync(file, 'utf8').split('\n').length).toBe(3);
  });

  test('off: nothing is written; an unwritable place: an error, not a throw', () => {
    expectOk(appendDecision(dir, line(0), { ...DEFAULT_DECISION_LOG, enabled: false }));
    expect(readdirSync(dir)).toEqual([]);
    writeFileSync(path.join(dir, 'gatos'), 'a file where the directory should be');
    const r = appendDecision(dir, line(0), DEFAULT_DECISION_LOG);
    expect(r.ok).toBe(false);
  });

  test('a half-written last line is left for the next read, a garbage line counted', () => {
    const file = decisionLogPath(dir);
    expectOk(appendDecision(dir, line(0), DEFAULT_DECISION_LOG));
    writeFileSync(file, `${readFileSync(file, 'utf8')}not json\n${line(1).slice(0, 20)}`);
    const r = expectOk(readDecisionLog(file));
    expect(r.records).toHaveLength(1);
    expect(r.malformed).toBe(1);
    expect(r.cursor.offset).toBe(Buffer.byteLength(line(0)) + 'not json\n'.length);
  });
});
