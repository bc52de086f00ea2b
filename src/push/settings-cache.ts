/**
 * The gate's settings kept by the warm daemon between pushes, re-read from
 * git whenever anything git would read them from may have changed: the
 * repository's config file, the global and system files this environment
 * names (their inode, size and times), and the GIT_CONFIG_* variables. A
 * file with an include is never cached (its targets are not watched). Each
 * `git config` the daemon did not start saved it about 3 ms (decision 0038).
 * Adapter (filesystem).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Result } from '../core/result';
import type { GateConfig } from '../gate';
import type { GitRepo } from '../git';
import type { Env } from '../git/env';
import { readSettings } from './settings';

/** The files git reads its configuration from in `env` for the repository at `gitDir` (system, global, local). */
function configFiles(gitDir: string, env: Env): string[] {
  const files: string[] = [];
  const off = (v: string | undefined) => v !== undefined && v !== '' && v !== '0' && v.toLowerCase() !== 'false';
  if (!off(env.GIT_CONFIG_NOSYSTEM)) files.push(env.GIT_CONFIG_SYSTEM ?? '/etc/gitconfig');
  if (env.GIT_CONFIG_GLOBAL !== undefined) files.push(env.GIT_CONFIG_GLOBAL);
  else {
    const home = env.HOME ?? '';
    files.push(path.join(env.XDG_CONFIG_HOME || path.join(home, '.config'), 'git', 'config'), path.join(home, '.gitconfig'));
  }
  files.push(path.join(gitDir, 'config'), path.join(gitDir, 'config.worktree'));
  return files;
}

/**
 * Whether each config file (by its identity: inode, size, times) has an
 * include, as read last: the key's one read of each file's text, which the
 * daemon otherwise repeated on every push. A file whose identity changed is
 * read again.
 */
export type IncludeMemo = Map<string, { readonly identity: string; readonly include: boolean }>;

function hasInclude(file: string, identity: string, memo: IncludeMemo | undefined): boolean {
  const kept = memo?.get(file);
  if (kept?.identity === identity) return kept.include;
  const include = /\[\s*include/i.test(readFileSync(file, 'latin1'));
  memo?.set(file, { identity, include });
  return include;
}

/** What must be unchanged for the settings read last to still be git's answer; undefined: do not cache. */
export function settingsKey(gitDir: string, env: Env, includes?: IncludeMemo): string | undefined {
  // `git config` reads only the file GIT_CONFIG names (git-config(1)), which no key here watches.
  if (env.GIT_CONFIG !== undefined) return undefined;
  const parts: string[] = [gitDir];
  // The few variables that count, then sorted (sorting a hook's whole environment cost more than the rest of the key).
  const vars = Object.entries(env).filter(([k]) => k.startsWith('GIT_CONFIG') || k === 'HOME' || k === 'XDG_CONFIG_HOME');
  for (const [k, v] of vars.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) parts.push(`${k}=${v ?? ''}`);
  for (const file of configFiles(gitDir, env)) {
    if (file === '' || file === '/dev/null') {
      parts.push(`${file}:none`);
      continue;
    }
    try {
      // Most of these files do not exist: no exception for that (a thrown ENOENT cost ~15 us each, every push).
      const s = statSync(file, { bigint: true, throwIfNoEntry: false });
      if (s === undefined) {
        parts.push(`${file}:absent`);
        continue;
      }
      if (!s.isFile()) return undefined;
      const identity = `${file}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
      if (hasInclude(file, identity, includes)) return undefined;
      parts.push(identity);
    } catch {
      // ENOTDIR, EACCES, a file gone between the stat and its read: not known to be unchanged.
      return undefined;
    }
  }
  return JSON.stringify(parts);
}

export class SettingsCache {
  private last: { readonly key: string; readonly value: Result<GateConfig> } | undefined;
  private readonly includes: IncludeMemo = new Map();

  /** readSettings, or its last answer while nothing it came from has changed. Only answers that read well are kept. */
  async read(repo: GitRepo, env: Env): Promise<Result<GateConfig>> {
    // Taken before git reads: a change after this point gives another key next time.
    const key = settingsKey(repo.gitDir, env, this.includes);
    if (key !== undefined && this.last?.key === key) return this.last.value;
    const value = await readSettings(repo);
    this.last = key !== undefined && value.ok ? { key, value } : undefined;
    return value;
  }
}
