/**
 * The CLI people install: `npm pack` of a copy of this checkout (prepack
 * builds it), `npm install -g --offline` of the tarball into a temporary
 * prefix (it works offline because the bundle needs no runtime dependency),
 * then `gatos --version`, `git gatos`, `gatos install` on a temporary bare
 * repository (templates and hooks found inside the installed package) and
 * `git gatos --help` (git opens the man page npm installed). Then the other
 * documented way, `npm install -g .` in a clone, where `prepare` builds.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { VERSION } from '../../src/core/version';
import { cleanGitEnv, git } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';
import { commandRuns, required, testIf } from '../helpers/requires';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '../..');

function run(cmd: string, args: readonly string[], cwd: string, env: Record<string, string>): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A copy of the checkout's files as git sees them (no build output), with node_modules as after `npm ci`. */
function copyCheckout(dest: string): void {
  const files = ok(run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], ROOT, cleanGitEnv()), 'git ls-files').split('\0').filter(Boolean);
  for (const f of files) {
    const from = path.join(ROOT, f);
    if (f === 'node_modules' || !existsSync(from)) continue;
    mkdirSync(path.dirname(path.join(dest, f)), { recursive: true });
    cpSync(from, path.join(dest, f));
  }
  // A folder of links (not one link to the shared folder), so that npm writes its own records into the copy only.
  mkdirSync(path.join(dest, 'node_modules'));
  for (const name of readdirSync(path.join(ROOT, 'node_modules'))) {
    if (name.startsWith('.')) continue;
    symlinkSync(path.join(ROOT, 'node_modules', name), path.join(dest, 'node_modules', name));
  }
}

const hasMan = required('man (git gatos --help opens the installed man page)', commandRuns('sh', ['-c', 'command -v man']), 'man-db');

describe('npm install -g', () => {
  const dir = tmpDir('gatos-pkg-');
  const src = path.join(dir, 'gatos-gate');
  const home = path.join(dir, 'home');
  mkdirSync(home);
  const nodeDir = path.dirname(process.execPath);
  const npmEnv = cleanGitEnv({
    HOME: home,
    PATH: `${nodeDir}:${process.env.PATH ?? '/usr/bin:/bin'}`,
    npm_config_cache: path.join(dir, 'npm-cache'),
    npm_config_update_notifier: 'false',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  });
  /** The environment of someone who installed into `prefix`: its bin first, node, git; nothing of this checkout. */
  const userEnv = (prefix: string) => cleanGitEnv({ HOME: home, PATH: `${path.join(prefix, 'bin')}:${nodeDir}:/usr/bin:/bin`, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '200' });
  copyCheckout(src);

  let tarball = '';
  test('npm pack builds the package (prepack) and packs the bundle, hooks, templates and man pages, no sources', () => {
    const out = path.join(dir, 'out');
    mkdirSync(out);
    const packed = ok(run('npm', ['pack', '--silent', '--pack-destination', out], src, npmEnv), 'npm pack').trim().split('\n').pop() ?? '';
    tarball = path.join(out, packed);
    expect(existsSync(tarball)).toBe(true);
    const list = ok(run('tar', ['-tzf', tarball], dir, npmEnv), 'tar').split('\n').filter(Boolean);
    for (const f of ['dist/gatos.cjs', 'dist/gatos.bundle.cjs', 'hooks/pre-receive', 'hooks/pre-receive.bundle.cjs', 'hooks/update', 'hooks/update.cjs', 'hooks/update.bundle.cjs', 'templates/regulated/gatos/config/gate.yaml', 'man/gatos.1', 'man/git-gatos.1', 'install.sh', 'package.json']) {
      expect(list).toContain(`package/${f}`);
    }
    expect(list.filter((f) => /^package\/(src|test|bench|node_modules)\//.test(f) || f === 'package/dist/bench.cjs')).toEqual([]);
  });

  test('the tarball installs offline into a prefix with no dependencies, and the commands work from there', () => {
    const prefix = path.join(dir, 'prefix');
    ok(run('npm', ['install', '-g', '--offline', '--prefix', prefix, tarball], dir, npmEnv), 'npm install -g <tarball>');
    const pkg = path.join(prefix, 'lib', 'node_modules', 'gatos-gate');
    expect(existsSync(path.join(pkg, 'node_modules'))).toBe(false);
    const env = userEnv(prefix);
    const cwd = tmpDir('gatos-user-');
    const version = run('gatos', ['--version'], cwd, env);
    expect(version.stdout).toBe(`gatos ${VERSION}\n`);
    expect(version.status).toBe(0);
    const viaGit = run('git', ['gatos', 'version'], cwd, env);
    expect(viaGit.status).toBe(0);
    expect(viaGit.stdout).toContain(`gatos ${VERSION}`);

    const bare = path.join(cwd, 'server.git');
    git(cwd, ['init', '-q', '--bare', bare]);
    const installed = run('gatos', ['install', bare, '--template', 'regulated'], cwd, env);
    expect(installed.stderr).not.toMatch(/\n\s+at /);
    expect(installed.status).toBe(0);
    expect(installed.stdout).toContain('published the regulated bundle');
    expect(existsSync(path.join(bare, 'hooks', 'pre-receive'))).toBe(true);
    expect(git(bare, ['rev-parse', '--verify', 'refs/gatos/policies/active']).status).toBe(0);
  });

  testIf(hasMan, 'man is not installed')('git gatos --help opens the installed man page (git runs man git-gatos)', () => {
    const prefix = path.join(dir, 'prefix');
    expect(existsSync(path.join(prefix, 'share', 'man', 'man1', 'git-gatos.1'))).toBe(true);
    const r = run('git', ['gatos', '--help'], tmpDir(), userEnv(prefix));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('git gatos command [options]');
    expect(r.stdout).toContain('gatos audit log');
    expect(r.stdout).toContain('EXIT STATUS');
  });

  test('npm install -g . in a clone builds on prepare and links the commands', () => {
    for (const built of ['dist', 'man']) rmSync(path.join(src, built), { recursive: true, force: true });
    const prefix = path.join(dir, 'prefix-clone');
    ok(run('npm', ['install', '-g', '--offline', '--prefix', prefix, '.'], src, npmEnv), 'npm install -g .');
    expect(existsSync(path.join(src, 'dist', 'gatos.cjs'))).toBe(true);
    const env = userEnv(prefix);
    const r = run('git-gatos', ['--version'], tmpDir(), env);
    expect(r.stdout).toBe(`gatos ${VERSION}\n`);
    expect(existsSync(path.join(prefix, 'share', 'man', 'man1', 'gatos.1'))).toBe(true);
  });
});
