/** Temporary directories that are removed after the test file finishes. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const made: string[] = [];

export function tmpDir(prefix = 'gatos-test-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

afterAll(() => {
  if (process.env.GATOS_KEEP_TMP) return;
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});
