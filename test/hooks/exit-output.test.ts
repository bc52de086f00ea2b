/**
 * A hook's refusal reaches git whole however long it is: under git a hook's
 * stderr is a pipe, where Node writes asynchronously, and exiting with
 * writes still queued (a reader slower than the hook, a pipe full at 64 KiB)
 * dropped the end of the refusal, its reasons with it. The reader here
 * starts 0.3 s late, as a busy git might. A hook that has nothing to say
 * does not make its stderr stream at all (decision 0067).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleFixture } from '../git/bundle';

describe('a hook process ends only once its refusal is written', () => {
  let dir: string;
  let hook: string;
  let quiet: string;
  let watch: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gatos-exit-'));
    hook = await bundleFixture(path.join(__dirname, 'fixtures', 'long-refusal.ts'), dir);
    quiet = await bundleFixture(path.join(__dirname, 'fixtures', 'quiet-accept.ts'), dir);
    // Loaded before the hook (node -r): notes, in a file, whether anything read process.stderr (Node makes the
    // stream on that first read), without reading it itself.
    watch = path.join(dir, 'watch-stderr.cjs');
    writeFileSync(
      watch,
      `const own = Object.getOwnPropertyDescriptor(process, 'stderr');
let made = false;
Object.defineProperty(process, 'stderr', { configurable: true, enumerable: true, get() { made = true; return own.get.call(process); } });
process.on('exit', () => require('node:fs').writeFileSync(process.env.WATCH_OUT, made ? 'made' : 'not made'));
`,
    );
  });

  /** Runs the quiet hook with stderr a pipe (as under git); its stderr, status, and whether process.stderr was made. */
  const runQuiet = (mode: string): { stderr: string; status: number | null; stream: string } => {
    const out = path.join(dir, `watch-${mode}`);
    const r = spawnSync('bash', ['-c', `"${process.execPath}" -r "${watch}" "${quiet}" ${mode} 2>&1 >/dev/null | cat; exit "\${PIPESTATUS[0]}"`], { encoding: 'utf8', env: { PATH: process.env.PATH, WATCH_OUT: out } });
    return { stderr: r.stdout, status: r.status, stream: readFileSync(out, 'utf8') };
  };

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes 300 KB of refusal whole to a reader that starts late, then exits with the refusal\'s status', () => {
    const bytes = 300_000;
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${hook}" ${bytes} 2>&1 >/dev/null | { sleep 0.3; cat; }; exit "\${PIPESTATUS[0]}"`], { encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 });
    expect(r.stdout.length).toBe(bytes + 'end\n'.length);
    expect(r.stdout.endsWith('\nend\n')).toBe(true);
    expect(r.status).toBe(1);
  });

  it('exits at once with its status when it printed nothing, without ever making process.stderr', () => {
    const r = runQuiet('silent');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stream).toBe('not made');
  });

  it('still waits for what other code wrote to process.stderr (console.error here) before it exits', () => {
    const r = runQuiet('console');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('said through console\n');
    expect(r.stream).toBe('made');
  });
});
