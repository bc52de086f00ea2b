/**
 * The daemon's settings cache (src/push/settings-cache.ts) on a real
 * repository: unchanged files give the answer read before; any change git
 * would see (the repository's config rewritten by git config, a global file,
 * GIT_CONFIG_* variables) gives git's new answer; a config with an include
 * is never cached.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectOk } from '../../src/core/result';
import { openRepo, type GitRepo } from '../../src/git';
import { SettingsCache, settingsKey } from '../../src/push/settings-cache';
import { cleanGitEnv, git, gitDirOf, initRepo } from '../helpers/git';

describe('the settings cache', () => {
  let dir = '';
  let gd = '';
  let repo: GitRepo;
  let env: Record<string, string> = {};
  beforeAll(async () => {
    dir = initRepo({ bare: true });
    gd = gitDirOf(dir);
    env = cleanGitEnv({ GIT_CONFIG_GLOBAL: path.join(dir, 'global-config') });
    writeFileSync(env.GIT_CONFIG_GLOBAL as string, '');
    repo = expectOk(await openRepo(gd, { env }));
  });
  afterAll(() => repo.close());

  it('answers from memory while nothing changed, and as git does after each change', async () => {
    const cache = new SettingsCache();
    const first = await cache.read(repo, env);
    expect(expectOk(first).mode).toBe('enforce');
    expect(await cache.read(repo, env)).toBe(first);
    git(dir, ['config', 'gatos.mode', 'evaluate']);
    expect(expectOk(await cache.read(repo, env)).mode).toBe('evaluate');
    git(dir, ['config', '--unset', 'gatos.mode']);
    appendFileSync(env.GIT_CONFIG_GLOBAL as string, '[gatos]\n\tmode = evaluate\n');
    expect(expectOk(await cache.read(repo, env)).mode).toBe('evaluate');
    writeFileSync(env.GIT_CONFIG_GLOBAL as string, '');
    const viaEnv = { ...env, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'gatos.mode', GIT_CONFIG_VALUE_0: 'evaluate' };
    const r = await new SettingsCache().read(expectOk(await openRepo(gd, { env: viaEnv })), viaEnv);
    expect(expectOk(r).mode).toBe('evaluate');
    expect(settingsKey(gd, viaEnv)).not.toBe(settingsKey(gd, env));
    expect(expectOk(await cache.read(repo, env)).mode).toBe('enforce');
  });

  it('never caches a configuration that includes another file', () => {
    expect(settingsKey(gd, env)).toBeDefined();
    git(dir, ['config', 'include.path', path.join(dir, 'more-config')]);
    expect(settingsKey(gd, env)).toBeUndefined();
    git(dir, ['config', '--unset', 'include.path']);
  });

  it('sees an include written between two pushes (the memo of which files include keeps each file by its identity)', async () => {
    const cache = new SettingsCache();
    expect(expectOk(await cache.read(repo, env)).mode).toBe('enforce');
    const more = path.join(dir, 'more-config');
    writeFileSync(more, '[gatos]\n\tmode = evaluate\n');
    git(dir, ['config', 'include.path', more]);
    try {
      expect(expectOk(await cache.read(repo, env)).mode).toBe('evaluate');
      // Never kept: the included file changes alone, and the next read is git's again.
      writeFileSync(more, '[gatos]\n\tmode = enforce\n');
      expect(expectOk(await cache.read(repo, env)).mode).toBe('enforce');
    } finally {
      git(dir, ['config', '--unset', 'include.path']);
    }
  });
});
