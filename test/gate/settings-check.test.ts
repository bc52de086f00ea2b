/** Checking the gate's settings before use (src/gate/settings-check.ts): every problem, with the key, the value, what was expected and the closest known key. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { checkGateYaml, checkGitSettings, problemLine } from '../../src/gate';

describe('git config gatos.*', () => {
  it('accepts good settings, whatever their case', () => {
    expect(checkGitSettings([['gatos.mode', 'evaluate'], ['gatos.timebudgetms', '9000'], ['gatos.host', 'gitolite'], ['gatos.actormap', 'alice user:alice'], ['core.bare', 'true']])).toEqual([]);
  });

  it('names an unknown key with the closest known one, and every bad value', () => {
    const p = checkGitSettings([['gatos.timebudgetm', '3000'], ['gatos.mode', 'enforec'], ['gatos.output', 'json'], ['gatos.maxobjectbytes', '1M']]);
    expect(p.map(problemLine)).toEqual([
      'error: git config gatos.timebudgetm: not a gate setting (every push would be refused)\n  hint: did you mean gatos.timeBudgetMs? fix it with: git config --unset-all gatos.timebudgetm; git config gatos.timeBudgetMs <value> (in the bare repository)',
      "error: git config gatos.mode: value \"enforec\": expected 'enforce' or 'evaluate'\n  hint: fix it with: git config gatos.mode <value> (in the bare repository)",
      'error: git config gatos.maxObjectBytes: value "1M": expected a whole number of bytes, e.g. 1048576 for 1 MiB\n  hint: fix it with: git config gatos.maxObjectBytes <value> (in the bare repository)',
    ]);
  });

  it('finds what only the entries together get wrong', () => {
    const fpr = '69B1B0617D3C69FB38E6D3594C65CFFA35FA3556';
    const p = checkGitSettings([['gatos.pushcertkey', `${fpr} user:alice`], ['gatos.pushcertkey', `${fpr} user:bob`]]);
    expect(p).toHaveLength(1);
    expect(p[0]?.message).toMatch(/one actor per key/);
  });

  it('warns when a budget under ghes outlasts GitHub\'s 5 s', () => {
    const p = checkGitSettings([['gatos.host', 'ghes'], ['gatos.timebudgetms', '8000']]);
    expect(p.map((x) => x.severity)).toEqual(['warning']);
    expect(p[0]?.message).toMatch(/GitHub stops every pre-receive hook after 5000 ms in all/);
    expect(checkGitSettings([['gatos.host', 'ghes']])).toEqual([]);
  });
});

describe('gate.yaml', () => {
  it('accepts every template\'s', () => {
    for (const t of ['minimal', 'regulated', 'airgapped']) {
      const file = path.resolve(__dirname, '../../templates', t, 'gatos/config/gate.yaml');
      expect({ t, problems: checkGateYaml(readFileSync(file, 'utf8'), file) }).toEqual({ t, problems: [] });
    }
  });

  it('names a misspelt key with its line and column and the closest key, and a bad value with the setting it becomes', () => {
    const text = ['version: 1', 'mode: enforce', 'time_budgt_ms: 5000', 'actor:', '  sourcs: [GL_USER]', 'events:', '  max_age_s: -3', 'refusals: [text]', 'fast_forward_only: refs/heads/main', ''].join('\n');
    expect(checkGateYaml(text, 'gate.yaml').map(problemLine)).toEqual([
      "error: gate.yaml:3:1: unknown key 'time_budgt_ms'\n  hint: did you mean 'time_budget_ms'?",
      "error: gate.yaml:5:3: unknown key 'sourcs' under 'actor'\n  hint: did you mean 'sources'?",
      'error: gate.yaml:7:14: events.max_age_s: value "-3": expected a whole number of seconds, e.g. 86400 for one day (install writes it as gatos.maxPastSkewSeconds)\n  hint: fix events.max_age_s in gate.yaml',
      "error: gate.yaml:8:11: 'refusals' must be a single value (text or number)",
      "error: gate.yaml:9:20: 'fast_forward_only' must be a list",
    ]);
  });

  it('reports YAML errors and a document that is no mapping', () => {
    expect(checkGateYaml('mode: [enforce\n', 'g.yaml')[0]?.message).toMatch(/^YAML: /);
    expect(checkGateYaml('- mode\n', 'g.yaml').map((p) => p.where)).toEqual(['g.yaml:1:1']);
    expect(checkGateYaml('version: 2\n', 'g.yaml')[0]?.message).toBe('version "2": expected 1');
  });
});
