/**
 * The time budget as an operator meets it, with real pushes: a push the gate
 * cannot decide in time is refused with the rule's numbers and the setting
 * to change (never "retry"), and `gatos gate check` applies the same rule to
 * the same update, so it does not answer "allow" for a push the hook refuses.
 */
import { runCli } from '../helpers/cli';
import { GateWorld } from '../helpers/gate-world';

jest.setTimeout(180_000);

const JOURNAL = 'refs/gatos/journal/finance/user/alice';

describe('the time budget', () => {
  let w: GateWorld;
  let alice: string;
  const server = (args: string[]) => w.git(w.root, ['--git-dir', w.gitDir, ...args]);

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', 'finance');
  });

  it('refuses a push it could not decide in time, saying which setting to raise', () => {
    expect(server(['config', 'gatos.timeBudgetMs', '1']).status).toBe(0);
    try {
      const r = w.push(alice, 'user:alice', [JOURNAL]);
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/remote:\s+reason: the gate did not decide within its time budget: 1 ms \+ 1 ms x \d+ objects = \d+ ms \(base from gatos\.timeBudgetMs, per object from the default of gatos\.host=plain\)/);
      expect(r.stderr).toMatch(/remote:\s+hint:\s+the base ran out before the commits were checked: git config gatos\.timeBudgetMs \d+ at least/);
      expect(r.stderr).not.toMatch(/retry/);
      expect(w.auditEntries().at(-1)?.gate_error?.reason).toMatch(/time budget: 1 ms \+ 1 ms x \d+ objects/);
    } finally {
      server(['config', '--unset', 'gatos.timeBudgetMs']);
    }
  });

  it('gate check applies the same rule: could not decide (exit 3) with a tiny budget, allow under the default', () => {
    const tip = w.git(alice, ['rev-parse', JOURNAL]).stdout.trim();
    const zero = '0'.repeat(40);
    // gate check decides on objects the server holds: fetch them there (FETCH_HEAD only, no ref moves).
    expect(server(['fetch', '-q', alice, JOURNAL]).status).toBe(0);
    const check = () => runCli(['gate', 'check', '--repo', w.gitDir, zero, tip, JOURNAL, '--actor', 'user:alice'], { env: w.env() });
    expect(server(['config', 'gatos.timeBudgetMs', '1']).status).toBe(0);
    try {
      const r = check();
      expect(r.status).toBe(3);
      expect(r.stdout).toMatch(/reason: the gate did not decide within its time budget: 1 ms \+ 1 ms x \d+ objects/);
      expect(r.stdout).toMatch(/hint:\s+.*git config gatos\.timeBudgetMs \d+/);
    } finally {
      server(['config', '--unset', 'gatos.timeBudgetMs']);
    }
    const ok = check();
    expect({ status: ok.status, stdout: ok.stdout.slice(0, 6) }).toEqual({ status: 0, stdout: 'allow ' });
    expect(w.push(alice, 'user:alice', [JOURNAL]).status).toBe(0);
  });
});
