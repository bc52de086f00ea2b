/**
 * Verdict records (src/gate/record.ts) that could still allow an update: the
 * update hook consumes a record by emptying it (a shell builtin; removing it
 * would cost a process), so "no record left" means no non-empty file in any
 * record's folder (`<record folder>/<file>`, each listed).
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

export function liveVerdictRecords(gitDir: string): string[] {
  const dir = path.join(gitDir, 'gatos', 'verdicts');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const f = path.join(dir, n);
    if (!lstatSync(f).isDirectory()) return readFileSync(f, 'utf8') !== '' ? [n] : [];
    return readdirSync(f)
      .filter((leaf) => readFileSync(path.join(f, leaf), 'utf8') !== '')
      .map((leaf) => `${n}/${leaf}`);
  });
}
