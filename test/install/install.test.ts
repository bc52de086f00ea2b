/** install.sh: refusals, idempotence, chaining of existing hooks, uninstall restoring what was there. */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { INSTALL_SH, GateWorld } from '../helpers/gate-world';
import { cleanGitEnv, git, initRepo } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(120_000);

function install(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', [INSTALL_SH, ...args], { encoding: 'utf8', env: cleanGitEnv() });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('install.sh', () => {
  it('refuses a missing repository and a non-bare one with a clear message', () => {
    const missing = install([path.join(tmpDir(), 'nope.git')]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/error\[NOT_FOUND\]: .*nope\.git does not exist/);
    expect(missing.stderr).toContain('hint: create it with: git init --bare');
    const work = initRepo();
    const nonBare = install([work]);
    expect(nonBare.status).toBe(2);
    expect(nonBare.stderr).toMatch(/is not a bare repository/);
    expect(nonBare.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown template and lists the known ones', () => {
    const bare = initRepo({ bare: true });
    const r = install([bare, '--template', 'strict']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no template 'strict'/);
    expect(r.stderr).toMatch(/minimal/);
  });

  it('is idempotent, chains an existing hook, and uninstalls to exactly what was there', () => {
    const bare = initRepo({ bare: true });
    git(bare, ['config', 'receive.hideRefs', 'refs/private']);
    const marker = path.join(tmpDir(), 'chained-ran');
    const mine = path.join(bare, 'hooks', 'pre-receive');
    const script = `#!/bin/sh\ncat >/dev/null\necho ran >> ${marker}\n`;
    writeFileSync(mine, script);
    chmodSync(mine, 0o755);
    const configBefore = git(bare, ['config', '--list', '--local']).stdout;

    const first = install([bare, '--template', 'minimal']);
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('kept your hooks/pre-receive as hooks/pre-receive.gatos-chained');
    expect(first.stdout).toContain('published the minimal bundle');
    expect(readFileSync(`${mine}.gatos-chained`, 'utf8')).toBe(script);
    const refs = git(bare, ['for-each-ref']).stdout;

    const second = install([bare, '--template', 'minimal']);
    expect(second.status).toBe(0);
    expect(second.stdout).toMatch(/nothing changed/);
    expect(git(bare, ['for-each-ref']).stdout).toBe(refs);

    // An accepted push runs the chained hook after the gate; a refused one does not.
    const clone = path.join(tmpDir(), 'c');
    git(tmpDir(), ['clone', '-q', bare, clone]);
    git(clone, ['commit', '-q', '--allow-empty', '-m', 'x']);
    const ok = git(clone, ['push', 'origin', 'HEAD:refs/heads/main'], { allowFailure: true });
    expect(ok.status).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
    const denied = git(clone, ['push', 'origin', 'HEAD:refs/gatos/audit/policy'], { allowFailure: true });
    expect(denied.status).not.toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');

    const un = install([bare, '--uninstall']);
    expect(un.status).toBe(0);
    expect(un.stdout).toContain('restored your hooks/pre-receive');
    expect(readFileSync(mine, 'utf8')).toBe(script);
    expect(existsSync(path.join(bare, 'hooks', 'update'))).toBe(false);
    expect(git(bare, ['config', '--list', '--local']).stdout).toBe(configBefore);
    expect(install([bare, '--uninstall']).stdout).toMatch(/not installed/);
  });

  it('installs the files each hook runs beside itself, refuses to overwrite a foreign one, and removes them on uninstall', () => {
    const bare = initRepo({ bare: true });
    const foreign = path.join(bare, 'hooks', 'update.cjs');
    writeFileSync(foreign, 'my own file\n');
    const refused = install([bare]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/hooks\/update\.cjs exists and is not the gate's/);
    expect(readFileSync(foreign, 'utf8')).toBe('my own file\n');
    rmSync(foreign);
    const r = install([bare]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('installed hooks/update.cjs');
    for (const f of ['update', 'update.cjs', 'pre-receive']) expect(existsSync(path.join(bare, 'hooks', f))).toBe(true);
    expect(install([bare]).stdout).not.toMatch(/hooks\//);
    const un = install([bare, '--uninstall']);
    expect(un.status).toBe(0);
    expect(un.stdout).toContain('removed hooks/update.cjs');
    expect(readdirSync(path.join(bare, 'hooks')).filter((f) => /^(update|pre-receive)(\.|$)/.test(f) && !f.endsWith('.sample'))).toEqual([]);
  });

  it("turns on git's object checks at error level for pushes, and uninstall puts back the operator's own values", () => {
    const bare = initRepo({ bare: true });
    git(bare, ['config', 'receive.fsckObjects', 'false']);
    git(bare, ['config', 'receive.fsck.hasDotgit', 'warn']);
    const configBefore = git(bare, ['config', '--list', '--local']).stdout;
    const r = install([bare, '--template', 'minimal']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('set receive.fsckObjects = true');
    expect(r.stdout).toMatch(/set receive\.fsck\.<id> = error for .*duplicateEntries, treeNotSorted/);
    expect(git(bare, ['config', 'receive.fsckObjects']).stdout.trim()).toBe('true');
    for (const id of ['duplicateEntries', 'treeNotSorted', 'zeroPaddedFilemode', 'badFilemode', 'hasDotgit', 'fullPathname', 'emptyName', 'missingSpaceBeforeDate', 'badTimezone', 'multipleAuthors', 'nulInHeader']) {
      expect(git(bare, ['config', `receive.fsck.${id}`]).stdout.trim()).toBe('error');
    }
    // git itself knows every id we set (an unknown one is only a warning on each push, and would check nothing).
    const clone = path.join(tmpDir(), 'c');
    git(tmpDir(), ['clone', '-q', bare, clone]);
    git(clone, ['commit', '-q', '--allow-empty', '-m', 'x']);
    const pushed = git(clone, ['push', 'origin', 'HEAD:refs/heads/main'], { allowFailure: true });
    expect(pushed.status).toBe(0);
    expect(pushed.stderr).not.toMatch(/unknown msg id|Unhandled message id/i);
    expect(install([bare, '--uninstall']).status).toBe(0);
    // The same values (git appends a restored key at its section's end, so compare regardless of order).
    const sorted = (t: string) => t.split('\n').sort().join('\n');
    expect(sorted(git(bare, ['config', '--list', '--local']).stdout)).toBe(sorted(configBefore));
  });

  it('installs every template (bundle publishes, config set)', () => {
    for (const template of ['minimal', 'regulated', 'airgapped']) {
      const w = new GateWorld({ format: 'sha1', template }).setup();
      expect(git(w.gitDir, ['config', 'receive.hideRefs']).stdout.trim()).toBe('refs/gatos/audit/policy');
      expect(git(w.gitDir, ['rev-parse', 'refs/gatos/policies/active']).status).toBe(0);
    }
  });
});
