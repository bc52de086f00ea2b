/** The gate's settings from the repository's git config (`gatos.*`). Adapter. */
import { err, type Result } from '../core/result';
import { readGateConfig, type GateConfig } from '../gate';
import type { GitRepo } from '../git';

export async function readSettings(repo: GitRepo): Promise<Result<GateConfig>> {
  const r = await repo.run(['config', '--null', '--get-regexp', '^gatos\\.'], { okStatuses: [0, 1] });
  if (!r.ok) return err(r.error);
  const entries: [string, string][] = [];
  for (const rec of r.value.stdout.toString('utf8').split('\0')) {
    if (rec === '') continue;
    const nl = rec.indexOf('\n');
    entries.push(nl < 0 ? [rec, ''] : [rec.slice(0, nl), rec.slice(nl + 1)]);
  }
  return readGateConfig(entries);
}
