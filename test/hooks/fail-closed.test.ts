/**
 * The hooks fail closed and can run alone: an unusable active bundle, an
 * exceeded time budget, evaluate mode, the update hook on its own, and the
 * machine-readable refusal format, each with a real push through install.sh.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectRefused } from '../helpers/gate-scenarios';
import { GateWorld } from '../helpers/gate-world';
import { liveVerdictRecords } from '../helpers/records';

jest.setTimeout(120_000);

const JOURNAL = 'refs/gatos/journal/finance/user/alice';

function gitDirCmd(w: GateWorld, args: string[]): void {
  const r = w.git(w.root, ['--git-dir', w.gitDir, ...args]);
  if (r.status !== 0) throw new Error(r.stderr);
}

describe('fail closed', () => {
  let w: GateWorld;
  let alice: string;
  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', 'finance');
    w.addEvent(alice, 'user:alice', 'finance');
    expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
  });

  it('leaves no verdict record behind once update consumed it', () => {
    expect(liveVerdictRecords(w.gitDir)).toEqual([]);
  });

  it('refuses every push when the active bundle is not a bundle (GATE_ERROR)', () => {
    const active = w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', 'refs/gatos/policies/active']).stdout.trim();
    // The operator (not a client) points active at a commit that is no bundle: the tip of a journal.
    const notBundle = w.git(w.root, ['--git-dir', w.gitDir, 'rev-parse', JOURNAL]).stdout.trim();
    gitDirCmd(w, ['update-ref', 'refs/gatos/policies/active', notBundle]);
    try {
      w.addEvent(alice, 'user:alice', 'finance');
      expectRefused(w, () => w.push(alice, 'user:alice', [JOURNAL]), 'GATE_ERROR', 'gate/error');
      expect(w.auditEntries().at(-1)?.gate_error?.reason).toMatch(/active policy bundle cannot be used/);
    } finally {
      gitDirCmd(w, ['update-ref', 'refs/gatos/policies/active', active]);
    }
  });

  it('still refuses when the audit entry cannot be written, and says it was not recorded', () => {
    // A lock git cannot take: every compare-and-swap of the audit ref fails.
    const lock = path.join(w.gitDir, 'refs', 'gatos', 'audit', 'policy.lock');
    writeFileSync(lock, '');
    try {
      const before = w.serverRefs();
      const entries = w.auditEntries().length;
      w.fetch(alice, 'user:alice');
      w.git(alice, ['update-ref', JOURNAL, `${JOURNAL}~1`]);
      w.addEvent(alice, 'user:alice', 'finance');
      const r = w.push(alice, 'user:alice', [`+${JOURNAL}`]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain('code:   FF_VIOLATION');
      expect(r.stderr).toContain('could NOT be written');
      expect(r.stderr).not.toContain('is recorded in refs/gatos/audit/policy');
      expect(w.serverRefs()).toBe(before);
      expect(w.auditEntries().length).toBe(entries);
    } finally {
      rmSync(lock, { force: true });
    }
  });

  it('refuses a push the gate cannot decide within its time budget (GATE_ERROR)', () => {
    gitDirCmd(w, ['config', 'gatos.timeBudgetMs', '1']);
    try {
      w.fetch(alice, 'user:alice');
      w.addEvent(alice, 'user:alice', 'finance');
      expectRefused(w, () => w.push(alice, 'user:alice', [JOURNAL]), 'GATE_ERROR', 'gate/error');
      expect(w.auditEntries().at(-1)?.gate_error?.reason).toMatch(/time budget: 1 ms \+ 1 ms x \d+ objects/);
    } finally {
      gitDirCmd(w, ['config', '--unset', 'gatos.timeBudgetMs']);
    }
  });

  it('refuses on a malformed gate setting rather than guessing (GATE_ERROR)', () => {
    gitDirCmd(w, ['config', 'gatos.mode', 'enforec']);
    try {
      expectRefused(w, () => w.push(alice, 'user:alice', [JOURNAL]), 'GATE_ERROR');
    } finally {
      gitDirCmd(w, ['config', 'gatos.mode', 'enforce']);
    }
  });

  it('prints one JSON line per denial when gatos.output=json', () => {
    gitDirCmd(w, ['config', 'gatos.output', 'json']);
    try {
      w.fetch(alice, 'user:alice');
      const before = w.serverRefs();
      w.git(alice, ['update-ref', JOURNAL, `${JOURNAL}~1`]);
      w.addEvent(alice, 'user:alice', 'finance');
      const r = w.push(alice, 'user:alice', [JOURNAL], { force: true });
      expect(r.status).not.toBe(0);
      const lines = r.stderr.split('\n').filter((l) => l.startsWith('remote: {')).map((l) => JSON.parse(l.slice('remote: '.length).trim()) as { code: string; rule: string; ref: string });
      expect(lines.some((l) => l.code === 'FF_VIOLATION' && l.rule === 'gate/fast-forward-only' && l.ref === JOURNAL)).toBe(true);
      expect(w.serverRefs()).toBe(before);
    } finally {
      gitDirCmd(w, ['config', 'gatos.output', 'text']);
      w.fetch(alice, 'user:alice');
    }
  });

  it('in evaluate mode lets a push the policy denies through and audits what would have been denied', () => {
    gitDirCmd(w, ['config', 'gatos.mode', 'evaluate']);
    try {
      const first = w.git(alice, ['commit-tree', w.git(alice, ['hash-object', '-t', 'tree', '-w', '--stdin'], {}, '').stdout.trim()], {}, 'first\n').stdout.trim();
      expect(w.push(alice, 'user:alice', [`${first}:refs/heads/main`]).status).toBe(0);
      const n = w.auditEntries().length;
      // regulated denies a force push of main (branches.rgs): evaluate mode records it instead.
      const other = w.git(alice, ['commit-tree', `${first}^{tree}`], {}, 'rewritten\n').stdout.trim();
      const r = w.push(alice, 'user:alice', [`${other}:refs/heads/main`], { force: true });
      expect(r.status).toBe(0);
      expect(r.stderr).toContain('WOULD DENY (evaluate mode)');
      const e = w.auditEntries();
      expect(e).toHaveLength(n + 1);
      expect(e.at(-1)?.outcome).toBe('accepted');
      expect(e.at(-1)?.denials.some((d) => d.ref === 'refs/heads/main' && !d.enforced)).toBe(true);
    } finally {
      gitDirCmd(w, ['config', 'gatos.mode', 'enforce']);
    }
  });

  it('in evaluate mode still refuses rewriting a journal: accepted events are never lost', () => {
    gitDirCmd(w, ['config', 'gatos.mode', 'evaluate']);
    try {
      w.fetch(alice, 'user:alice');
      w.git(alice, ['update-ref', JOURNAL, `${JOURNAL}~1`]);
      w.addEvent(alice, 'user:alice', 'finance');
      expectRefused(w, () => w.push(alice, 'user:alice', [JOURNAL], { force: true }), 'FF_VIOLATION', 'gate/fast-forward-only');
    } finally {
      gitDirCmd(w, ['config', 'gatos.mode', 'enforce']);
      w.fetch(alice, 'user:alice');
    }
  });
});

describe('the update hook alone', () => {
  it('enforces the full policy and audits with hook=update', () => {
    const w = new GateWorld({ format: 'sha256', hooks: 'update' }).setup();
    expect(existsSync(path.join(w.gitDir, 'hooks', 'pre-receive'))).toBe(false);
    const alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', 'finance');
    w.addEvent(alice, 'user:alice', 'finance');
    expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
    w.git(alice, ['update-ref', JOURNAL, `${JOURNAL}~1`]);
    w.addEvent(alice, 'user:alice', 'finance');
    expectRefused(w, () => w.push(alice, 'user:alice', [JOURNAL], { force: true }), 'FF_VIOLATION', 'gate/fast-forward-only');
    expect(w.auditEntries().at(-1)?.hook).toBe('update');
    const bob = w.client('user:bob');
    w.addEvent(bob, 'user:bob', 'finance');
    expectRefused(w, () => w.push(bob, 'user:bob', ['refs/gatos/journal/finance/user/bob']), 'POLICY_DENY');
  });
});
