/**
 * The gate's settings for a hook process that decides by itself (the cold
 * path, no daemon): git's last answer kept on disk in
 * $GIT_DIR/gatos/cache/settings, used while everything git reads them from
 * is unchanged. The key is the daemon's (settings-cache.ts): the config files
 * this environment names (inode, size, times), the GIT_CONFIG_* variables,
 * HOME and XDG_CONFIG_HOME; a configuration with an include is never kept.
 * So the answer is the one `git config` would give now, as the daemon's is,
 * without starting git (about 9 ms of CPU per push here, decision 0042).
 * The file carries a sha256 of its own bytes and names the release that
 * wrote it; missing, damaged, another key or another release: git is asked
 * and the file rewritten. $GIT_DIR/gatos/ is as trusted as $GIT_DIR/hooks
 * (clients cannot write either). Adapter (filesystem).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seal, unseal } from '../canon/sealed';
import { decodeUtf8, utf8 } from '../core/bytes';
import { err, type Result } from '../core/result';
import { VERSION } from '../core/version';
import { readGateConfig, type GateConfig } from '../gate';
import type { GitRepo } from '../git';
import type { Env } from '../git/env';
import { settingsKey } from './settings-cache';
import { SETTINGS_ARGS, settingEntries } from './settings';

const MAGIC = 'gatos-settings-v1\n';

export function settingsRecordFile(gitDir: string): string {
  return path.join(gitDir, 'gatos', 'cache', 'settings');
}

interface Body {
  readonly gatos: string;
  readonly key: string;
  readonly stdout: string;
}

/** The body of a settings record, if the bytes are a whole, untampered one; undefined otherwise. */
export function settingsRecordBody(b: Uint8Array): Body | undefined {
  const body = unseal(MAGIC, b);
  const text = body && decodeUtf8(body);
  if (text === undefined) return undefined;
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) return undefined;
    const { gatos, key, stdout } = v as Record<string, unknown>;
    return typeof gatos === 'string' && typeof key === 'string' && typeof stdout === 'string' ? { gatos, key, stdout } : undefined;
  } catch {
    return undefined;
  }
}

function recorded(file: string, key: string): string | undefined {
  try {
    const body = settingsRecordBody(new Uint8Array(readFileSync(file)));
    return body && body.key === key && body.gatos === VERSION ? body.stdout : undefined;
  } catch {
    return undefined;
  }
}

function record(file: string, key: string, stdout: string): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const body = utf8(JSON.stringify({ gatos: VERSION, key, stdout }));
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, seal(MAGIC, body), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // No record: the next hook asks git again.
  }
}

/** The gate's settings as `git config` gives them in `env`, from the record while its key holds. */
export async function recordedSettings(repo: GitRepo, env: Env): Promise<Result<GateConfig>> {
  // Taken before git reads: a change after this point gives another key next time.
  const key = settingsKey(repo.gitDir, env);
  const file = settingsRecordFile(repo.gitDir);
  const kept = key === undefined ? undefined : recorded(file, key);
  if (kept !== undefined) {
    const c = readGateConfig(settingEntries(kept));
    if (c.ok) return c;
  }
  const r = await repo.run([...SETTINGS_ARGS], { okStatuses: [0, 1] });
  if (!r.ok) return err(r.error);
  const stdout = r.value.stdout.toString('utf8');
  const c = readGateConfig(settingEntries(stdout));
  // Only answers that read well are kept, as the daemon does.
  if (key !== undefined && c.ok) record(file, key, stdout);
  return c;
}
