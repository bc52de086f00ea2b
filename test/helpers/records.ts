/**
 * Verdict records (src/gate/record.ts) that could still allow an update: the
 * update hook consumes a record by emptying it (a shell builtin; removing it
 * would cost a process), so "no record left" means no non-empty file.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function liveVerdictRecords(gitDir: string): string[] {
  const dir = path.join(gitDir, 'gatos', 'verdicts');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((n) => readFileSync(path.join(dir, n), 'utf8') !== '');
}
