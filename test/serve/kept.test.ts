/**
 * What the daemon keeps between pushes while files are unchanged
 * (src/serve/kept.ts): whether the update hook is installed, from
 * install.json and hooks/update. Each change made between two pushes (the
 * record rewritten, the hook replaced, a symlink retargeted, a file removed)
 * gives the answer reading the files afresh gives.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { updateHookInstalled } from '../../src/hooks/records';
import { HOOK_MARKER } from '../../src/push/hook-marker';
import { KeptWhileUnchanged, fileIdentity } from '../../src/serve/kept';

describe('kept while unchanged', () => {
  let gitDir = '';
  beforeEach(() => {
    gitDir = mkdtempSync(path.join(os.tmpdir(), 'gatos-kept-'));
    mkdirSync(path.join(gitDir, 'gatos'));
    mkdirSync(path.join(gitDir, 'hooks'));
  });
  afterEach(() => rmSync(gitDir, { recursive: true, force: true }));

  const record = (hooks: Record<string, unknown>) => writeFileSync(path.join(gitDir, 'gatos', 'install.json'), JSON.stringify({ hooks }));
  const files = () => [path.join(gitDir, 'gatos', 'install.json'), path.join(gitDir, 'hooks', 'update')];

  it('answers whether the update hook is installed as reading the files afresh does, after each change', () => {
    const kept = new KeptWhileUnchanged<boolean>();
    let computed = 0;
    const ask = () =>
      kept.get(files(), () => {
        computed++;
        return updateHookInstalled(gitDir);
      }, gitDir);
    const check = () => expect(ask()).toBe(updateHookInstalled(gitDir));
    record({ 'pre-receive': {} });
    check();
    check();
    expect(computed).toBe(1);
    // The record now names the update hook (a longer file: another size).
    record({ 'pre-receive': {}, update: {} });
    check();
    record({ 'pre-receive': {} });
    check();
    // The gate's update hook placed by hand, then replaced by another, then a symlink to the gate's, retargeted.
    writeFileSync(path.join(gitDir, 'hooks', 'update'), `#!/bin/sh\n# ${HOOK_MARKER}\n`, { mode: 0o755 });
    check();
    rmSync(path.join(gitDir, 'hooks', 'update'));
    check();
    const ours = path.join(gitDir, 'ours');
    const other = path.join(gitDir, 'other');
    writeFileSync(ours, `#!/bin/sh\n# ${HOOK_MARKER}\n`);
    writeFileSync(other, '#!/bin/sh\nexit 0\n');
    symlinkSync(other, path.join(gitDir, 'hooks', 'update'));
    expect(ask()).toBe(false);
    rmSync(path.join(gitDir, 'hooks', 'update'));
    symlinkSync(ours, path.join(gitDir, 'hooks', 'update'));
    expect(ask()).toBe(true);
    // No record at all: any doubt answers yes.
    rmSync(path.join(gitDir, 'gatos', 'install.json'));
    rmSync(path.join(gitDir, 'hooks', 'update'));
    expect(ask()).toBe(true);
  });

  it('a missing file, or a path through a file, is absent; the arguments are part of the key', () => {
    expect(fileIdentity(path.join(gitDir, 'missing'))).toBe('absent');
    expect(fileIdentity(path.join(gitDir, 'hooks'))).toMatch(/^\d+:\d+:\d+:\d+:\d+$/);
    const kept = new KeptWhileUnchanged<number>();
    let n = 0;
    // A path through a file (ENOTDIR) is absent, as git sees it.
    writeFileSync(path.join(gitDir, 'plain'), '');
    expect(kept.get([path.join(gitDir, 'plain', 'x')], () => ++n)).toBe(1);
    expect(kept.get([path.join(gitDir, 'plain', 'x')], () => ++n)).toBe(1);
    // Another argument is another key.
    expect(kept.get([path.join(gitDir, 'plain', 'x')], () => ++n, 'other')).toBe(2);
  });
});
