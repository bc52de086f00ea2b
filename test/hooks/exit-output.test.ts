/**
 * A hook's refusal reaches git whole however long it is: under git a hook's
 * stderr is a pipe, where Node writes asynchronously, and exiting with
 * writes still queued (a reader slower than the hook, a pipe full at 64 KiB)
 * dropped the end of the refusal, its reasons with it. The reader here
 * starts 0.3 s late, as a busy git might.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleFixture } from '../git/bundle';

describe('a hook process ends only once its refusal is written', () => {
  let dir: string;
  let hook: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatos-exit-'));
    hook = await bundleFixture(path.join(__dirname, 'fixtures', 'long-refusal.ts'), dir);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes 300 KB of refusal whole to a reader that starts late, then exits with the refusal\'s status', () => {
    const bytes = 300_000;
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${hook}" ${bytes} 2>&1 >/dev/null | { sleep 0.3; cat; }; exit "\${PIPESTATUS[0]}"`], { encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 });
    expect(r.stdout.length).toBe(bytes + 'end\n'.length);
    expect(r.stdout.endsWith('\nend\n')).toBe(true);
    expect(r.status).toBe(1);
  });
});
