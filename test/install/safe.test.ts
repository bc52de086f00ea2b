/**
 * A safe installer (issue 11): the operator's hidden refs stay hidden while
 * the gate is installed and after it is removed; --dry-run changes nothing;
 * no --trust is warned about loudly; a push no host identity reached is
 * refused saying so; --all installs every repository under a folder,
 * idempotently, with a summary.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INSTALL_SH } from '../helpers/gate-world';
import { cleanGitEnv, git, initRepo } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(180_000);

function install(args: string[]) {
  const r = spawnSync('sh', [INSTALL_SH, ...args], { encoding: 'utf8', env: cleanGitEnv() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const listAll = (dir: string): string[] => readdirSync(dir, { recursive: true }).map(String).sort();

describe('a safe installer', () => {
  it("keeps an operator's hidden refs/secret/* hidden while installed and after uninstall, and removes only the gate's entry", () => {
    const bare = initRepo({ bare: true });
    const seed = path.join(tmpDir(), 'seed');
    git(tmpDir(), ['init', '-q', seed]);
    git(seed, ['commit', '-q', '--allow-empty', '-m', 'x']);
    git(seed, ['push', '-q', bare, 'HEAD:refs/heads/main', 'HEAD:refs/secret/plan']);
    git(bare, ['config', '--add', 'receive.hideRefs', 'refs/secret']);
    git(bare, ['config', '--add', 'transfer.hideRefs', 'refs/secret']);
    const visible = () => git(tmpDir(), ['ls-remote', `file://${bare}`]).stdout;
    expect(visible()).not.toContain('refs/secret/plan');

    const r = install([bare, '--template', 'minimal', '--trust', '/nonexistent-so-it-fails']);
    expect(r.status).toBe(2); // a missing trust folder stops the install before anything is written
    expect(git(bare, ['config', '--get-all', 'receive.hideRefs']).stdout).toBe('refs/secret\n');

    const ok = install([bare, '--template', 'minimal']);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain('added receive.hideRefs = refs/gatos/audit/policy (beside your refs/secret)');
    expect(git(bare, ['config', '--get-all', 'receive.hideRefs']).stdout).toBe('refs/secret\nrefs/gatos/audit/policy\n');
    expect(git(bare, ['config', '--get-all', 'transfer.hideRefs']).stdout).toBe('refs/secret\nrefs/gatos/audit/policy\n');
    expect(visible()).not.toContain('refs/secret/plan');

    // The operator hides one more ref while the gate is installed: uninstall keeps it too.
    git(bare, ['config', '--add', 'transfer.hideRefs', 'refs/private']);
    const un = install([bare, '--uninstall']);
    expect(un.status).toBe(0);
    expect(git(bare, ['config', '--get-all', 'receive.hideRefs']).stdout).toBe('refs/secret\n');
    expect(git(bare, ['config', '--get-all', 'transfer.hideRefs']).stdout).toBe('refs/secret\nrefs/private\n');
    expect(visible()).not.toContain('refs/secret/plan');
  });

  it('--dry-run prints what it would change and changes nothing', () => {
    const bare = initRepo({ bare: true });
    git(bare, ['config', 'receive.hideRefs', 'refs/secret']);
    const before = { config: git(bare, ['config', '--list', '--local']).stdout, refs: git(bare, ['for-each-ref']).stdout, files: listAll(bare) };
    const r = install([bare, '--template', 'regulated', '--dry-run']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('would install hooks/pre-receive');
    expect(r.stdout).toContain('would set receive.fsckObjects = true');
    expect(r.stdout).toContain('would add receive.hideRefs = refs/gatos/audit/policy (beside your refs/secret)');
    expect(r.stdout).toMatch(/would publish the regulated bundle [0-9a-f]{64}/);
    expect(r.stdout).toContain('dry run: nothing was changed');
    expect({ config: git(bare, ['config', '--list', '--local']).stdout, refs: git(bare, ['for-each-ref']).stdout, files: listAll(bare) }).toEqual(before);
    // After a real install, a dry run has nothing to say.
    expect(install([bare, '--template', 'regulated']).status).toBe(0);
    expect(install([bare, '--template', 'regulated', '--dry-run']).stdout).toMatch(/nothing would change/);
  });

  it('--json prints one object with the changes, dry run or not, and the uninstall', () => {
    const bare = initRepo({ bare: true });
    const dry = install([bare, '--template', 'minimal', '--dry-run', '--json']);
    expect(dry.status).toBe(0);
    const planned = JSON.parse(dry.stdout) as { repo: string; dry_run: boolean; host: string; changed: boolean; changes: string[]; trusted: boolean };
    expect(planned).toMatchObject({ repo: bare, dry_run: true, host: 'plain', changed: true, trusted: false });
    expect(planned.changes).toContain('would install hooks/pre-receive');
    expect(existsSync(path.join(bare, 'hooks', 'pre-receive'))).toBe(false);
    const real = JSON.parse(install([bare, '--template', 'minimal', '--json']).stdout) as { changed: boolean; changes: string[] };
    expect(real.changed).toBe(true);
    expect(existsSync(path.join(bare, 'hooks', 'pre-receive'))).toBe(true);
    expect(JSON.parse(install([bare, '--template', 'minimal', '--json']).stdout)).toMatchObject({ changed: false, changes: [] });
    const removed = JSON.parse(install([bare, '--uninstall', '--json']).stdout) as { uninstalled: boolean; changes: string[] };
    expect(removed.uninstalled).toBe(true);
    expect(removed.changes.length).toBeGreaterThan(0);
  });

  it('warns loudly without --trust and says what to run', () => {
    const bare = initRepo({ bare: true });
    const r = install([bare, '--template', 'minimal']);
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('WARNING: installed WITHOUT --trust');
    expect(r.stderr).toContain('will be REFUSED');
    expect(r.stderr).toContain(`gatos install ${bare} --template minimal --trust <admin workspace>/gatos/trust`);
  });

  it("refuses a push no pusher identity reached with exactly that, naming the host's variables and page (plain host)", () => {
    const bare = initRepo({ bare: true });
    expect(install([bare, '--template', 'minimal']).status).toBe(0);
    const client = path.join(tmpDir(), 'c');
    git(tmpDir(), ['clone', '-q', bare, client]);
    git(client, ['commit', '-q', '--allow-empty', '-m', 'x']);
    const r = git(client, ['push', 'origin', 'HEAD:refs/gatos/journal/demo/user/alice'], { allowFailure: true });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('no pusher identity: the host set none of GATOS_ACTOR, GL_USER, GL_USERNAME, REMOTE_USER; see docs/hosts/plain.md');
    expect(r.stderr).not.toContain("missing attribute 'actor");
  });

  it('--all installs every bare repository under a folder, idempotently, with a summary; one failure does not stop the rest', () => {
    const root = tmpDir('gatos-all-');
    const repos = ['a.git', 'org/b.git', 'org/team/c.git'].map((r) => path.join(root, r));
    for (const r of repos) {
      mkdirSync(path.dirname(r), { recursive: true });
      git(root, ['init', '-q', '--bare', r]);
    }
    mkdirSync(path.join(root, 'not-a-repo'));
    git(root, ['init', '-q', '--bare', path.join(root, 'org', 'b.wiki.git')]);
    // A foreign file where the gate's update hook needs its own: that repository fails, the others install.
    const broken = path.join(root, 'org', 'd.git');
    git(root, ['init', '-q', '--bare', broken]);
    writeFileSync(path.join(broken, 'hooks', 'update.cjs'), 'mine\n');

    const first = install(['--all', root, '--template', 'minimal']);
    expect(first.status).not.toBe(0);
    expect(first.stdout).toContain('gatos install: a.git: installed');
    expect(first.stdout).toContain('gatos install: org/team/c.git: installed');
    expect(first.stdout).toMatch(/org\/d\.git: FAILED: hooks\/update\.cjs exists and is not the gate's/);
    expect(first.stdout).not.toContain('b.wiki.git');
    expect(first.stdout).toContain(`4 repositories under ${root}: 3 changed, 0 unchanged, 1 failed`);
    for (const r of repos) expect(git(r, ['rev-parse', '--verify', '-q', 'refs/gatos/policies/active']).status).toBe(0);

    rmSync(path.join(broken, 'hooks', 'update.cjs'));
    const second = install(['--all', root, '--template', 'minimal']);
    expect(second.status).toBe(0);
    expect(second.stdout).toContain(`4 repositories under ${root}: 1 changed, 3 unchanged, 0 failed`);
    const third = install(['--all', root, '--template', 'minimal']);
    expect(third.stdout).toContain(`4 repositories under ${root}: 0 changed, 4 unchanged, 0 failed`);
  });
});
