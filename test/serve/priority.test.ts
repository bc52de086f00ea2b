/**
 * `gatos serve` runs below the git processes of the pushes it decides
 * ahead (decisions 0060, 0065 and 0066): every thread of the daemon at nice
 * 10 by default, on a time slice twice the kernel's (Linux 6.12+), or on the
 * kernel's where neither perl nor chrt can set it (it says so); on the
 * kernel's slice under `--sched plain`; under SCHED_IDLE with `--sched
 * idle`, or at nice 10 where no `chrt` can set that policy (it says so); at
 * the nice it was started with under `--nice 0`, and a priority it was
 * started below is never raised. Read from /proc/<pid>/task/<tid>/stat (the
 * nice field, the 19th; the policy, the 41st) and .../sched (se.slice), on a
 * real daemon serving a real bare repository.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCHED_IDLE, longSliceFor, threadPolicies } from '../../src/serve/priority';
import { CLI } from '../helpers/cli';
import { commandRuns, required, testIf } from '../helpers/requires';
import { initRepo } from '../helpers/git';
import { CUSTOM_SLICES, NO_CUSTOM_SLICES_WHY, kernelSlice, slicesOf } from '../helpers/sched';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(60_000);

/** chrt sets the policy (util-linux, Essential on Debian; CI installs it explicitly). */
const HAS_CHRT = required('chrt', commandRuns('chrt', ['--version']), 'util-linux');

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

/** Starts `gatos serve` (optionally under `nice -n`, in `env`) and resolves with it and its log once it says it serves. */
function serve(args: readonly string[], niceFirst?: number, env: NodeJS.ProcessEnv = process.env): Promise<{ proc: ChildProcess; log: () => string }> {
  const repo = initRepo({ bare: true });
  const cmd = [process.execPath, CLI, 'serve', '--repo', repo, '--http', 'off', ...args];
  const proc = niceFirst === undefined ? spawn(cmd[0] as string, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env }) : spawn('nice', ['-n', String(niceFirst), ...cmd], { stdio: ['ignore', 'pipe', 'pipe'], env });
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    proc.stdout?.once('data', () => resolve({ proc, log: () => err }));
    proc.once('exit', (code) => reject(new Error(`gatos serve exited ${code}: ${err}`)));
  });
}

async function withDaemon(args: readonly string[], niceFirst: number | undefined, check: (nices: number[], policies: number[], log: string, slices: number[]) => void, env?: NodeJS.ProcessEnv): Promise<void> {
  const { proc: p, log } = await serve(args, niceFirst, env);
  try {
    check(threadNices(p.pid as number), [...(threadPolicies(p.pid as number)?.values() ?? [])], log(), slicesOf(p.pid as number));
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

  testIf(HAS_CHRT, 'no chrt')('runs every thread under the normal policy by default, and under SCHED_IDLE with --sched idle', async () => {
    const want = Math.max(10, ownNice());
    await withDaemon([], undefined, (nices, policies) => {
      expect(policies.length).toBeGreaterThan(1);
      expect(policies.every((p) => p === 0)).toBe(true);
      expect(nices.every((n) => n === want)).toBe(true);
    });
    await withDaemon(['--sched', 'idle'], undefined, (_nices, policies) => {
      expect(policies.length).toBeGreaterThan(1);
      expect(policies.every((p) => p === SCHED_IDLE)).toBe(true);
    });
  });

  it('takes twice the kernel\'s slice, within the kernel\'s bounds of 0.1 to 100 ms', () => {
    expect(longSliceFor(1_400_000)).toBe(2_800_000);
    expect(longSliceFor(3_000_000)).toBe(6_000_000);
    expect(longSliceFor(10_000)).toBe(100_000);
    expect(longSliceFor(80_000_000)).toBe(100_000_000);
  });

  testIf(CUSTOM_SLICES, NO_CUSTOM_SLICES_WHY)('by default runs every thread on twice the kernel\'s time slice at nice 10; under --sched plain on the kernel\'s', async () => {
    const want = Math.max(10, ownNice());
    const kernel = kernelSlice();
    await withDaemon([], undefined, (nices, policies, log, slices) => {
      expect(slices.length).toBeGreaterThan(1);
      expect(slices.every((ns) => ns === 2 * kernel)).toBe(true);
      expect(policies.every((p) => p === 0)).toBe(true);
      expect(nices.every((n) => n === want)).toBe(true);
      expect(log).not.toContain('note:');
    });
    await withDaemon(['--sched', 'plain'], undefined, (nices, policies, _log, slices) => {
      expect(slices.length).toBeGreaterThan(1);
      expect(slices.every((ns) => ns === kernel)).toBe(true);
      expect(policies.every((p) => p === 0)).toBe(true);
      expect(nices.every((n) => n === want)).toBe(true);
    });
    // Started below nice 10, it keeps its own nice on the long slice.
    const low = Math.max(15, ownNice());
    await withDaemon([], low - ownNice(), (nices, _policies, _log, slices) => {
      expect(slices.every((ns) => ns === 2 * kernel)).toBe(true);
      expect(nices.every((n) => n === low)).toBe(true);
    });
  });

  testIf(CUSTOM_SLICES, NO_CUSTOM_SLICES_WHY)('without perl, nor a chrt that sets a slice, runs on the kernel\'s slice at nice 10, and says why', async () => {
    // A PATH holding what the daemon starts (git, mkfifo), a chrt that cannot set a slice for SCHED_OTHER (as
    // util-linux before 2.41) and no perl.
    const bin = path.join(tmpDir(), 'bin');
    mkdirSync(bin);
    for (const tool of ['git', 'mkfifo']) symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, tool));
    writeFileSync(path.join(bin, 'chrt'), '#!/bin/sh\necho "chrt: --sched-runtime is for SCHED_DEADLINE only" >&2\nexit 1\n', { mode: 0o755 });
    const want = Math.max(10, ownNice());
    const kernel = kernelSlice();
    await withDaemon(
      [],
      undefined,
      (nices, policies, log, slices) => {
        expect(slices.every((ns) => ns === kernel)).toBe(true);
        expect(policies.every((p) => p === 0)).toBe(true);
        expect(nices.every((n) => n === want)).toBe(true);
        expect(log).toContain("note: a longer time slice could not be set (no perl command; chrt: --sched-runtime is for SCHED_DEADLINE only); running at nice 10 with the kernel's slice, without waiting for requests on the CPU");
      },
      { ...process.env, PATH: bin },
    );
  });

  it('under --sched idle without a chrt command runs at nice 10 under the normal policy, and says why', async () => {
    // A PATH holding what the daemon starts (git, mkfifo) and no chrt.
    const bin = path.join(tmpDir(), 'bin');
    mkdirSync(bin);
    for (const tool of ['git', 'mkfifo']) symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, tool));
    const want = Math.max(10, ownNice());
    await withDaemon(
      ['--sched', 'idle'],
      undefined,
      (nices, policies, log) => {
        expect(policies.length).toBeGreaterThan(1);
      expect(policies.every((p) => p === 0)).toBe(true);
        expect(nices.every((n) => n === want)).toBe(true);
        expect(log).toContain('note: SCHED_IDLE could not be set (no chrt command (util-linux or busybox)); running at nice 10, without waiting for requests on the CPU');
      },
      { ...process.env, PATH: bin },
    );
  });

  it('refuses a --sched other than normal, plain or idle, saying what it expects', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--repo', tmpDir(), '--http', 'off', '--sched', 'fifo'], { encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('--sched fifo: expected normal, plain or idle');
    expect(r.stderr).not.toMatch(/\n\s+at /);
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
