/**
 * The gate's settings are checked before they are used: `gatos config check
 * --repo` lists every problem of a repository's gatos.* settings (and of a
 * gate.yaml it is given) and exits 1, and install refuses a template whose
 * gate.yaml has a misspelt key or a bad value, or a repository holding a bad
 * gatos.* setting, before it writes anything: no hook, no config, no ref.
 */
import { cpSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runCli } from '../helpers/cli';
import { INSTALL_SH, REPO_ROOT } from '../helpers/gate-world';
import { cleanGitEnv, git, initRepo } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(120_000);

function install(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', [INSTALL_SH, ...args], { encoding: 'utf8', env: cleanGitEnv() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Everything install could change: hooks, config, refs, $GIT_DIR/gatos. */
function snapshot(bare: string): string {
  const hooks = readdirSync(path.join(bare, 'hooks')).sort().join(',');
  return [hooks, git(bare, ['config', '--list', '--local']).stdout, git(bare, ['for-each-ref']).stdout, String(existsSync(path.join(bare, 'gatos')))].join('\n');
}

/** A copy of the templates with minimal's gate.yaml replaced. */
function templatesWith(gateYaml: string): string {
  const dir = path.join(tmpDir('gatos-templates-'), 'templates');
  cpSync(path.join(REPO_ROOT, 'templates'), dir, { recursive: true });
  writeFileSync(path.join(dir, 'minimal', 'gatos', 'config', 'gate.yaml'), gateYaml);
  return dir;
}

const GOOD = readFileSync(path.join(REPO_ROOT, 'templates', 'minimal', 'gatos', 'config', 'gate.yaml'), 'utf8');

describe('gatos config check', () => {
  it('says ok (exit 0) for a repository without settings and for a good gate.yaml', () => {
    const bare = initRepo({ bare: true });
    const r = runCli(['config', 'check', '--repo', bare, '--gate-yaml', path.join(REPO_ROOT, 'templates', 'regulated', 'gatos', 'config', 'gate.yaml')]);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ status: 0, stdout: `ok: the gate can use the settings of ${bare}\n`, stderr: '' });
  });

  it('lists a misspelt key with the closest one and a bad value (exit 1, and as JSON)', () => {
    const bare = initRepo({ bare: true });
    git(bare, ['config', 'gatos.timeBudgetMS', '3000']); // git's keys ignore case: this one is right
    git(bare, ['config', 'gatos.maxObjectByte', '1048576']);
    git(bare, ['config', 'gatos.host', 'github']);
    const r = runCli(['config', 'check', '--repo', bare]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('error: git config gatos.maxobjectbyte: not a gate setting (every push would be refused)\n  hint: did you mean gatos.maxObjectBytes?');
    expect(r.stdout).toContain('error: git config gatos.host: value "github": expected one of plain, gitolite, gitlab, gitea, forgejo, ghes');
    expect(r.stdout).not.toMatch(/timeBudgetMs/i);
    const j = runCli(['config', 'check', '--repo', bare, '--json']);
    expect(j.status).toBe(1);
    const out = JSON.parse(j.stdout) as { ok: boolean; problems: { severity: string; where: string }[] };
    expect(out).toEqual({ ok: false, problems: [expect.objectContaining({ severity: 'error', where: 'git config gatos.maxobjectbyte' }), expect.objectContaining({ severity: 'error', where: 'git config gatos.host' })] });
  });

  it('refuses a path that is no bare repository (exit 2, no stack trace)', () => {
    const r = runCli(['config', 'check', '--repo', path.join(tmpDir(), 'nope.git')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nope\.git/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('install checks the settings before writing anything', () => {
  it('refuses a gate.yaml with a misspelt key, naming the line and the closest key', () => {
    const bare = initRepo({ bare: true });
    const before = snapshot(bare);
    const r = install([bare, '--template', 'minimal', '--templates-dir', templatesWith(GOOD.replace('refusals: text', 'refusal: text'))]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/nothing was written/);
    expect(r.stderr).toMatch(/template minimal: gatos\/config\/gate\.yaml:\d+:1: unknown key 'refusal'\n\s+hint: did you mean 'refusals'\?/);
    expect(snapshot(bare)).toBe(before);
  });

  it('refuses a bad value in gate.yaml, naming the key, the value and what was expected', () => {
    const bare = initRepo({ bare: true });
    const before = snapshot(bare);
    const r = install([bare, '--template', 'minimal', '--templates-dir', templatesWith(GOOD.replace('mode: enforce', 'mode: enforcing'))]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/gate\.yaml:\d+:7: mode: value "enforcing": expected 'enforce' or 'evaluate' \(install writes it as gatos\.mode\)/);
    expect(snapshot(bare)).toBe(before);
  });

  it('refuses a repository whose own gatos.* setting is bad, and installs once it is fixed', () => {
    const bare = initRepo({ bare: true });
    git(bare, ['config', 'gatos.actorMapp', 'alice user:alice']);
    const before = snapshot(bare);
    const r = install([bare, '--template', 'minimal']);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('git config gatos.actormapp: not a gate setting');
    expect(r.stderr).toContain('did you mean gatos.actorMap?');
    expect(snapshot(bare)).toBe(before);
    git(bare, ['config', '--unset-all', 'gatos.actorMapp']);
    const ok = install([bare, '--template', 'minimal']);
    expect({ status: ok.status, error: /error/.test(ok.stderr) }).toEqual({ status: 0, error: false });
    expect(runCli(['config', 'check', '--repo', bare]).status).toBe(0);
  });
});
