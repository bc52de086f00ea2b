/** The time budget's rule (src/gate/budget.ts) and its settings: per-host defaults, the formula per object, and what a refusal tells the operator. */
import { budgetExceeded, budgetFormula, budgetLimitMs, readGateConfig, timeBudget } from '../../src/gate';

function config(entries: [string, string][]) {
  const c = readGateConfig(entries);
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
}

describe('the time budget', () => {
  it('defaults per host: 4 s plus 1 ms per object, and 4.5 s in all under ghes', () => {
    expect(config([]).budget).toEqual({ baseMs: 4000, perObjectMs: 1, baseFrom: 'the default of gatos.host=plain', perObjectFrom: 'the default of gatos.host=plain' });
    // 100,000 events are 300,000 objects (commit, tree, event.cbor).
    for (const host of ['plain', 'gitolite', 'gitlab', 'gitea', 'forgejo']) expect(budgetLimitMs(config([['gatos.host', host]]).budget, 300_000)).toBe(304_000);
    const ghes = config([['gatos.host', 'ghes']]).budget;
    expect([budgetLimitMs(ghes, 1), budgetLimitMs(ghes, 100_000)]).toEqual([4500, 4500]);
  });

  it('takes the operator\'s base, per-object allowance or none over the host\'s', () => {
    const b = config([['gatos.host', 'ghes'], ['gatos.timebudgetms', '3000'], ['gatos.timebudgetperobjectms', '0.25']]).budget;
    expect(b).toEqual({ baseMs: 3000, perObjectMs: 0.25, baseFrom: 'gatos.timeBudgetMs', perObjectFrom: 'gatos.timeBudgetPerObjectMs' });
    expect(budgetFormula(b, 300_000)).toBe('3,000 ms + 0.25 ms x 300,000 objects = 78,000 ms');
    const none = config([['gatos.timebudgetms', 'none']]).budget;
    expect([budgetLimitMs(none, 1_000_000), budgetFormula(none, 5)]).toEqual([undefined, 'no time limit']);
  });

  it('refuses bad values, naming the key and what was expected', () => {
    for (const [k, v] of [['gatos.host', 'github'], ['gatos.timebudgetms', '0'], ['gatos.timebudgetms', '4s'], ['gatos.timebudgetperobjectms', '-1'], ['gatos.timebudgetperobjectms', '1e3'], ['gatos.timebudgetperobjectms', '2000']] as const) {
      const c = readGateConfig([[k, v]]);
      expect({ k, v, ok: c.ok }).toEqual({ k, v, ok: false });
      if (!c.ok) expect(c.error.message).toContain(`git config ${k} = ${JSON.stringify(v)}: expected`);
    }
  });

  describe('a refusal says what to change', () => {
    const plain = timeBudget('plain', undefined, undefined);

    it('from the pace measured: the per-object allowance that would have sufficed', () => {
      // 100,000 events (300,000 objects), checking began at 1 s, 40,000 checked by 124 s: 3.075 ms each, 308.5 s in all, +25%.
      const r = budgetExceeded(plain, { elapsedMs: 124_000, objects: 300_000, commits: 100_000, counted: true, checked: 40_000, firstCheckedMs: 1000 }, 'plain');
      expect(r.reason).toBe('the gate did not decide within its time budget: 4,000 ms + 1 ms x 300,000 objects = 304,000 ms (base from the default of gatos.host=plain, per object from the default of gatos.host=plain); it stopped after 124,000 ms, with 40,000 of 100,000 commits checked');
      expect(r.hint).toMatch(/^at the pace measured, about 385,625 ms in all were needed: git config gatos\.timeBudgetPerObjectMs 1\.28 would have sufficed/);
      expect(r.hint).not.toMatch(/retry/);
    });

    it('the base, when it ran out before the commits were checked', () => {
      const b = timeBudget('plain', 1, undefined);
      const r = budgetExceeded(b, { elapsedMs: 120, objects: 3, commits: 0, counted: false, checked: 0 }, 'plain');
      expect(r.reason).toContain('1 ms + 1 ms x 3 objects = 4 ms (base from gatos.timeBudgetMs');
      expect(r.reason).toMatch(/before the commits to check were listed$/);
      expect(r.hint).toMatch(/^the base ran out before the commits were checked: git config gatos\.timeBudgetMs 160 at least/);
    });

    it('under ghes: no setting helps, push fewer events at once', () => {
      const r = budgetExceeded(timeBudget('ghes', undefined, undefined), { elapsedMs: 4500, objects: 150_000, commits: 50_000, counted: true, checked: 20_000, firstCheckedMs: 300 }, 'ghes');
      expect(r.hint).toMatch(/GitHub Enterprise stops every pre-receive hook after 5,000 ms in all, so no setting helps there: push fewer events at once/);
    });
  });
});
