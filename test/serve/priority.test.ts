/**
 * `gatos serve` runs below the git processes of the pushes it decides
 * ahead (decision 0060): every thread of the daemon at nice 10 by default,
 * at the nice it was started with under `--nice 0`, and a priority it was
 * started below is never raised. Read from /proc/<pid>/task/<tid>/stat (the
 * nice field, the 19th), on a real daemon serving a real bare repository.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { CLI } from '../helpers/cli';
import { initRepo } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(60_000);

/** The nice value of each thread of `pid` (field 19 of stat; the command name before it may hold spaces). */
function threadNices(pid: number): number[] {
  const dir = `/proc/${pid}/task`;
  return readdirSync(dir).map((tid) => {
    const stat = readFileSync(path.join(dir, tid, 'stat'), 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields from the 3rd on: the nice value is the 19th, so the 17th here.
    return Number(fields[16]);
  });
}

const ownNice = (): number => threadNices(process.pid)[0] as number;

/** Starts `gatos serve` (optionally under `nice -n`) and resolves with it once it says it serves. */
function serve(args: readonly string[], niceFirst?: number): Promise<ChildProcess> {
  const repo = initRepo({ bare: true });
  const cmd = [process.execPath, CLI, 'serve', '--repo', repo, '--http', 'off', ...args];
  const proc = niceFirst === undefined ? spawn(cmd[0] as string, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn('nice', ['-n', String(niceFirst), ...cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    proc.stdout?.once('data', () => resolve(proc));
    proc.once('exit', (code) => reject(new Error(`gatos serve exited ${code}: ${err}`)));
  });
}

async function withDaemon(args: readonly string[], niceFirst: number | undefined, check: (nices: number[]) => void): Promise<void> {
  const p = await serve(args, niceFirst);
  try {
    check(threadNices(p.pid as number));
  } finally {
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }
}

describe('the daemon\'s priority', () => {
  it('runs every thread at nice 10 by default', async () => {
    const want = Math.max(10, ownNice());
    await withDaemon([], undefined, (nices) => {
      expect(nices.length).toBeGreaterThan(1);
      expect(nices.every((n) => n === want)).toBe(true);
    });
  });

  it('keeps the priority it was started with under --nice 0, and never raises one it was started below', async () => {
    const own = ownNice();
    await withDaemon(['--nice', '0'], undefined, (nices) => expect(nices.every((n) => n === own)).toBe(true));
    const low = Math.max(15, own);
    await withDaemon(['--nice', '12'], low - own, (nices) => expect(nices.every((n) => n === low)).toBe(true));
  });

  it('refuses a nice outside 0-19, saying what it expects', () => {
    for (const bad of ['20', '-1', '2.5']) {
      const r = spawnSync(process.execPath, [CLI, 'serve', '--repo', tmpDir(), '--http', 'off', '--nice', bad], { encoding: 'utf8' });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`--nice ${bad}: expected a whole number from 0 to 19`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
