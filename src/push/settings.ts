/** The gate's settings from the repository's git config (`gatos.*`). Adapter. */
import { err, type Result } from '../core/result';
import { readGateConfig, type ConfigEntries, type GateConfig } from '../gate';
import type { GitRepo } from '../git';

/** `git config --null --get-regexp ^gatos\.` asks for every gate setting; this reads its output (key, then value after a newline). */
export const SETTINGS_ARGS = ['config', '--null', '--get-regexp', '^gatos\\.'] as const;

export function settingEntries(stdout: string): ConfigEntries {
  const entries: [string, string][] = [];
  for (const rec of stdout.split('\0')) {
    if (rec === '') continue;
    const nl = rec.indexOf('\n');
    entries.push(nl < 0 ? [rec, ''] : [rec.slice(0, nl), rec.slice(nl + 1)]);
  }
  return entries;
}

export async function readSettings(repo: GitRepo): Promise<Result<GateConfig>> {
  const r = await repo.run([...SETTINGS_ARGS], { okStatuses: [0, 1] });
  if (!r.ok) return err(r.error);
  return readGateConfig(settingEntries(r.value.stdout.toString('utf8')));
}
