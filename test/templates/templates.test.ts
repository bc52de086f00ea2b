/**
 * The three policy templates as an operator receives them: each policy
 * compiles without a warning through `gatos policyc`, passes its own fixtures
 * through `gatos policy test`, each fold compiles through `gatos foldc`, the
 * gate settings parse, and every rule is proven by at least one fixture (a
 * rule nobody exercises could be wrong unnoticed).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { readGateConfig } from '../../src/gate/config';
import { checkGateYaml } from '../../src/gate/settings-check';
import { gateSettings } from '../../src/install/install';
import { compilePolicy } from '../../src/rgs';
import { runCli } from '../helpers/cli';
import { gitText, initRepo } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';
import { TEMPLATES, TEMPLATE_ROOT, templateFiles } from './template-files';

interface FixtureExpect {
  effect: 'allow' | 'deny';
  rule?: string;
  rules?: string[];
}

function fixtures(dir: string): FixtureExpect[] {
  return templateFiles(dir, (n) => n.endsWith('.test.yaml')).flatMap((f) => {
    const doc = parseYaml(readFileSync(f, 'utf8')) as { tests: { expect: FixtureExpect }[] };
    return doc.tests.map((t) => t.expect);
  });
}

describe.each(TEMPLATES)('template %s', (name) => {
  const root = path.join(TEMPLATE_ROOT, name);
  const policies = path.join(root, 'gatos', 'policies');

  test('has a README saying who it is for and what it enforces', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    expect(readme).toMatch(new RegExp(`^# Template \`${name}\``));
    expect(readme).toContain('**For**');
    expect(readme).toContain('**Enforced by this policy**');
  });

  test('gatos policyc compiles the policy without a warning', () => {
    const out = path.join(tmpDir(), `${name}.rgc`);
    const r = runCli(['policyc', policies, '-o', out]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^policy_root = sha256:[0-9a-f]{64}\n$/);
    expect(existsSync(out)).toBe(true);
  });

  test('gatos policy test passes every fixture', () => {
    const r = runCli(['policy', 'test', policies]);
    expect(r.stderr).toBe('');
    expect(r.stdout).not.toContain('FAIL');
    const count = fixtures(policies).length;
    expect(count).toBeGreaterThanOrEqual(10);
    expect(r.stdout).toContain(`${count} passed, 0 failed`);
    expect(r.status).toBe(0);
  });

  test('every rule is exercised by a fixture: deny rules deny, allow rules allow and refuse', () => {
    const sources = templateFiles(policies, (n) => n.endsWith('.rgs')).map((file) => ({ file, text: readFileSync(file, 'utf8') }));
    const compiled = compilePolicy(sources);
    if (!compiled.ok) throw new Error(compiled.error.map((d) => d.message).join('\n'));
    const expects = fixtures(policies);
    const denied = new Set(expects.filter((e) => e.effect === 'deny').map((e) => e.rule));
    const allowed = new Set(expects.filter((e) => e.effect === 'allow').flatMap((e) => e.rules ?? []));
    const unproven: string[] = [];
    for (const rule of compiled.value.document.rules) {
      // `allow_if: true` with no deny_if cannot deny: it opens what its `when` names.
      const opensOnly = rule.deny.length === 0 && rule.allow.every((e) => e[0] === 'lit' && e[1] === true);
      if (!opensOnly && !denied.has(rule.id)) unproven.push(`${rule.id}: no fixture where it denies`);
      if (rule.allow.length > 0 && !allowed.has(rule.id)) unproven.push(`${rule.id}: no fixture where it allows`);
    }
    expect(unproven).toEqual([]);
    // The deny-by-default path is shown too: some request no rule allows.
    expect(denied.has('default-deny') || name === 'airgapped').toBe(true);
  });

  test('every fold compiles through gatos foldc and reads journals', () => {
    const folds = templateFiles(path.join(root, 'gatos', 'folds'), (n) => n.endsWith('.yaml'));
    expect(folds.length).toBeGreaterThan(0);
    for (const fold of folds) {
      const r = runCli(['foldc', fold, '-o', path.join(tmpDir(), 'fold.rgf')]);
      expect({ fold, stderr: r.stderr, status: r.status }).toEqual({ fold, stderr: '', status: 0 });
      expect(r.stdout).toMatch(/^fold_root = sha256:[0-9a-f]{64}\n/);
    }
  });

  test('the gate settings name only what the gate reads, and the gate accepts them', () => {
    const file = path.join(root, 'gatos', 'config', 'gate.yaml');
    const config = parseYaml(readFileSync(file, 'utf8'), { uniqueKeys: true }) as Record<string, unknown>;
    expect(config.version).toBe(1);
    expect(config.mode).toBe('enforce');
    // A key the installer ignores would promise a protection nobody enforces.
    expect(Object.keys(config).filter((k) => k !== 'limits').sort()).toEqual(['actor', 'events', 'fast_forward_only', 'mode', 'refusals', 'version']);
    if (config.limits !== undefined) expect(Object.keys(config.limits as object)).toEqual(['max_blob_bytes']);
    expect(Object.keys(config.actor as object).sort()).toEqual(['map', 'sources']);
    expect(Object.keys(config.events as object).filter((k) => k !== 'max_age_s')).toEqual(['max_clock_skew_s']);
    const settings = gateSettings(new Map([['gatos/config/gate.yaml', readFileSync(file)]]));
    if (!settings.ok) throw new Error(settings.error.message);
    const entries = Object.entries(settings.value).flatMap(([k, vs]) => vs.map((v) => [k.toLowerCase(), v] as const));
    const gate = readGateConfig(entries);
    if (!gate.ok) throw new Error(gate.error.message);
    expect(gate.value.mode).toBe('enforce');
    // No budget in the template: the host's default applies (plain here: 4 s plus 1 ms per object).
    expect(gate.value.budget).toMatchObject({ baseMs: 4000, perObjectMs: 1, baseFrom: 'the default of gatos.host=plain' });
    expect(checkGateYaml(readFileSync(file, 'utf8'), file)).toEqual([]);
    expect(gate.value.maxFutureSkewSeconds).toBe((config.events as { max_clock_skew_s: number }).max_clock_skew_s);
    expect(gate.value.ffOnly).toEqual(['refs/gatos/**', ...(config.fast_forward_only as string[])]);
    expect(gate.value.maxPastSkewSeconds).toBe((config.events as { max_age_s?: number }).max_age_s);
    expect(gate.value.maxObjectBytes).toBe((config.limits as { max_blob_bytes?: number } | undefined)?.max_blob_bytes);
  });

  test('gatos policy init --template copies it into a workspace, where its fixtures pass', () => {
    const ws = initRepo();
    expect(runCli(['init'], { cwd: ws }).status).toBe(0);
    const r = runCli(['policy', 'init', '--template', name], { cwd: ws });
    expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: '' });
    for (const file of templateFiles(path.join(root, 'gatos'), () => true)) {
      const rel = path.relative(root, file);
      expect({ rel, same: readFileSync(path.join(ws, rel)).equals(readFileSync(file)) }).toEqual({ rel, same: true });
    }
    const t = runCli(['policy', 'test', 'gatos/policies'], { cwd: ws });
    expect(t.status).toBe(0);
    expect(t.stdout).toMatch(/\d+ passed, 0 failed/);
  });

  test('gatos install --template publishes it into a bare repository', () => {
    const bare = initRepo({ bare: true });
    const r = runCli(['install', bare, '--template', name]);
    // Installed without --trust: the only thing on stderr is the installer's warning about it.
    expect({ status: r.status, stderr: r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('gatos install: WARNING: ')) }).toEqual({ status: 0, stderr: [] });
    expect(r.stderr).toContain('installed WITHOUT --trust');
    expect(r.stdout).toContain(`published the ${name} bundle`);
    expect(gitText(bare, ['rev-parse', '--verify', 'refs/gatos/policies/active'])).toMatch(/^[0-9a-f]{40}$/);
    const shipped = gitText(bare, ['show', 'refs/gatos/policies/active:gatos/config/gate.yaml']);
    expect(shipped).toBe(readFileSync(path.join(root, 'gatos', 'config', 'gate.yaml'), 'utf8').trimEnd());
    expect(gitText(bare, ['config', 'gatos.mode'])).toBe('enforce');
  });

  test('holds nothing but the workspace folders and the README', () => {
    expect(readdirSync(root).sort()).toEqual(['README.md', 'gatos']);
    expect(readdirSync(path.join(root, 'gatos')).sort()).toEqual(['config', 'folds', 'policies']);
  });
});
