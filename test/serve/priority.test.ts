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
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SCHED_IDLE, threadPolicies } from '../../src/serve/priority';
import { kernelTakesLongSlices, longSliceFor } from '../../src/serve/time-slice';
import { CLI } from '../helpers/cli';
import { commandRuns, required, testIf } from '../helpers/requires';
import { initRepo } from '../helpers/git';
import { CUSTOM_SLICES, NO_CUSTOM_SLICES_WHY, kernelSlice, longSlice, slicesOf } from '../helpers/sched';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(60_000);

/** chrt sets the policy (util-linux, Essential on Debian; CI installs it explicitly). */
const HAS_CHRT = required('chrt', commandRuns('chrt', ['--version']), 'util-linux');
const IS_ROOT = process.getuid?.() === 0;
/** setpriv runs the daemon as nobody where the tests run as root (util-linux). */
const HAS_SETPRIV = !IS_ROOT || required('setpriv', commandRuns('setpriv', ['--version']), 'util-linux');

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

/**
 * Starts `gatos serve` on `repo` (a new bare repository by default) with `args`, under the command `prefix` (nice,
 * chrt, setpriv; none by default), in `env`; resolves with it and its log once it says it serves.
 */
function serveUnder(prefix: readonly string[], args: readonly string[] = [], env: NodeJS.ProcessEnv = process.env, repo = initRepo({ bare: true })): Promise<{ proc: ChildProcess; log: () => string }> {
  const cmd = [...prefix, process.execPath, CLI, 'serve', '--repo', repo, '--http', 'off', ...args];
  const proc = spawn(cmd[0] as string, cmd.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env });
  return new Promise((resolve, reject) => {
    let err = '';
    proc.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    proc.stdout?.once('data', () => resolve({ proc, log: () => err }));
    proc.once('exit', (code) => reject(new Error(`gatos serve exited ${code}: ${err}`)));
  });
}

function stop(p: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGTERM');
  });
}

/** A daemon started with `args` (under `nice -n niceFirst` when given), checked by `check` from /proc, then stopped. */
async function withDaemon(args: readonly string[], niceFirst: number | undefined, check: (nices: number[], policies: number[], log: string, slices: number[]) => void, env?: NodeJS.ProcessEnv): Promise<void> {
  const { proc: p, log } = await serveUnder(niceFirst === undefined ? [] : ['nice', '-n', String(niceFirst)], args, env);
  try {
    check(threadNices(p.pid as number), [...(threadPolicies(p.pid as number)?.values() ?? [])], log(), slicesOf(p.pid as number));
  } finally {
    await stop(p);
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

  it('takes twice the kernel\'s slice, from 0.1 to at most 10 ms', () => {
    expect(longSliceFor(1_400_000)).toBe(2_800_000);
    expect(longSliceFor(3_000_000)).toBe(6_000_000);
    expect(longSliceFor(10_000)).toBe(100_000);
    // A slice inherited from whoever started the daemon is not doubled past 10 ms.
    expect(longSliceFor(80_000_000)).toBe(10_000_000);
  });

  it('takes a long slice on Linux 6.17 and later only', () => {
    for (const r of ['6.17.0', '6.18.44-fc-v1252', '7.0.1', '10.2']) expect(kernelTakesLongSlices(r)).toBe(true);
    for (const r of ['6.16.9-arch1', '6.12.0', '5.15.0-91-generic', '4.19', 'weird', '']) expect(kernelTakesLongSlices(r)).toBe(false);
  });

  testIf(CUSTOM_SLICES, NO_CUSTOM_SLICES_WHY)('by default runs every thread on twice the kernel\'s time slice at nice 10 (set with perl); under --sched plain on the kernel\'s', async () => {
    const want = Math.max(10, ownNice());
    const kernel = kernelSlice();
    await withDaemon([], undefined, (nices, policies, log, slices) => {
      expect(slices.length).toBeGreaterThan(1);
      expect(slices.every((ns) => ns === longSlice())).toBe(true);
      expect(policies.every((p) => p === 0)).toBe(true);
      expect(nices.every((n) => n === want)).toBe(true);
      expect(log).toContain(`time slice ${(longSlice() / 1e6).toFixed(2)} ms (set with perl)`);
      expect(log).not.toContain('note:');
    });
    await withDaemon(['--sched', 'plain'], undefined, (nices, policies, log, slices) => {
      expect(slices.length).toBeGreaterThan(1);
      expect(slices.every((ns) => ns === kernel)).toBe(true);
      expect(policies.every((p) => p === 0)).toBe(true);
      expect(nices.every((n) => n === want)).toBe(true);
      expect(log).not.toContain('time slice');
    });
    // At nice 0 (--nice 0 keeps what it was started with) it takes the slice but does not wait on the CPU.
    if (ownNice() === 0) {
      await withDaemon(['--nice', '0'], undefined, (nices, _policies, log, slices) => {
        expect(slices.every((ns) => ns === longSlice())).toBe(true);
        expect(nices.every((n) => n === 0)).toBe(true);
        expect(log).toContain('at nice 0, below 10, it does not wait on the CPU for requests');
      });
    }
    // Started below nice 10, it keeps its own nice on the long slice.
    const low = Math.max(15, ownNice());
    await withDaemon([], low - ownNice(), (nices, _policies, _log, slices) => {
      expect(slices.every((ns) => ns === longSlice())).toBe(true);
      expect(nices.every((n) => n === low)).toBe(true);
    });
  });

  testIf(CUSTOM_SLICES && HAS_CHRT, `${NO_CUSTOM_SLICES_WHY} or no chrt`)('keeps the policy and the reset-on-fork flag it was started with on the long slice', async () => {
    // chrt -p <tid> names each thread's policy and flag as the kernel reports them (sched_getattr).
    const policyOf = (tid: string): string => spawnSync('chrt', ['-p', tid], { encoding: 'utf8' }).stdout.split('\n')[0] ?? '';
    const tids = (pid: number): string[] => readdirSync(`/proc/${pid}/task`);
    const { proc: batch } = await serveUnder(['chrt', '-b', '0']);
    try {
      expect(slicesOf(batch.pid as number).every((ns) => ns === longSlice())).toBe(true);
      expect(tids(batch.pid as number).every((t) => /SCHED_BATCH$/.test(policyOf(t)))).toBe(true);
    } finally {
      await stop(batch);
    }
    const { proc: reset } = await serveUnder(['chrt', '-R', '-o', '0']);
    try {
      expect(slicesOf(reset.pid as number).every((ns) => ns === longSlice())).toBe(true);
      // The main thread keeps its flag (threads it made never had it: the kernel clears it in a new thread).
      expect(policyOf(String(reset.pid))).toMatch(/SCHED_OTHER\|SCHED_RESET_ON_FORK$/);
      expect(tids(reset.pid as number).every((t) => /SCHED_OTHER/.test(policyOf(t)))).toBe(true);
    } finally {
      await stop(reset);
    }
  });

  testIf(HAS_CHRT, 'no chrt')('started under SCHED_IDLE (systemd\'s CPUSchedulingPolicy=idle) sets no slice, says so, and waits for requests (not under --sched plain)', async () => {
    const repo = initRepo({ bare: true });
    const { proc, log } = await serveUnder(['chrt', '-i', '0'], [], process.env, repo);
    try {
      expect([...(threadPolicies(proc.pid as number)?.values() ?? [])].every((p) => p === SCHED_IDLE)).toBe(true);
      expect(log()).toContain("under SCHED_IDLE: git's processes preempt it; it waits on the CPU for requests it decided ahead");
      expect(log()).not.toContain('time slice');
      // The hint the hooks read: this daemon waits.
      expect(existsSync(path.join(repo, 'gatos', 'daemon', 'waits'))).toBe(true);
    } finally {
      await stop(proc);
    }
    // Unless told --sched plain, which never waits.
    const plain = await serveUnder(['chrt', '-i', '0'], ['--sched', 'plain'], process.env, repo);
    try {
      expect(plain.log()).not.toContain('waits on the CPU');
      expect(existsSync(path.join(repo, 'gatos', 'daemon', 'waits'))).toBe(false);
    } finally {
      await stop(plain.proc);
    }
  });

  testIf(CUSTOM_SLICES && IS_ROOT && HAS_SETPRIV, `${NO_CUSTOM_SLICES_WHY}, not root or no setpriv`)('sets the long slice as an unprivileged user too, keeping its nice', async () => {
    const dir = tmpDir();
    chmodSync(dir, 0o777);
    const repo = path.join(dir, 'nobody.git');
    const asNobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups', '--'];
    expect(spawnSync(asNobody[0] as string, [...asNobody.slice(1), 'git', 'init', '-q', '--bare', repo], { encoding: 'utf8' }).status).toBe(0);
    const { proc, log } = await serveUnder([...asNobody, 'nice', '-n', '12'], [], process.env, repo);
    try {
      expect(slicesOf(proc.pid as number).every((ns) => ns === longSlice())).toBe(true);
      expect(threadNices(proc.pid as number).every((n) => n === 12)).toBe(true);
      expect(log()).toContain('(set with perl)');
    } finally {
      await stop(proc);
    }
  });

  testIf(CUSTOM_SLICES, NO_CUSTOM_SLICES_WHY)('without a working perl, asks chrt -T for one thread, and runs on the kernel\'s slice at nice 10 saying why', async () => {
    // A PATH holding what the daemon starts (git, mkfifo), a perl that fails, and a chrt that records what it is asked
    // and cannot set a slice for SCHED_OTHER (as util-linux before 2.41).
    const bin = path.join(tmpDir(), 'bin');
    mkdirSync(bin);
    for (const tool of ['git', 'mkfifo']) symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, tool));
    writeFileSync(path.join(bin, 'perl'), '#!/bin/sh\necho "perl: broken" >&2\nexit 2\n', { mode: 0o755 });
    const asked = path.join(bin, 'chrt.args');
    writeFileSync(path.join(bin, 'chrt'), `#!/bin/sh\necho "$*" >> ${asked}\necho "chrt: --sched-runtime is for SCHED_DEADLINE only" >&2\nexit 1\n`, { mode: 0o755 });
    const want = Math.max(10, ownNice());
    const kernel = kernelSlice();
    await withDaemon(
      [],
      undefined,
      (nices, policies, log, slices) => {
        expect(slices.every((ns) => ns === kernel)).toBe(true);
        expect(policies.every((p) => p === 0)).toBe(true);
        expect(nices.every((n) => n === want)).toBe(true);
        expect(log).toContain("note: a longer time slice could not be set (perl: broken; chrt: --sched-runtime is for SCHED_DEADLINE only); running at nice 10 with the kernel's slice, without waiting for requests on the CPU");
      },
      { ...process.env, PATH: bin },
    );
    // Once, for one of its threads: the first failure says it for all.
    expect(readFileSync(asked, 'utf8')).toMatch(new RegExp(`^-o -T ${longSlice()} -p 0 \\d+\\n$`));
  });

  testIf(CUSTOM_SLICES, NO_CUSTOM_SLICES_WHY)('a perl that hangs holds its start for 10 s at most, then it serves on the kernel\'s slice', async () => {
    const bin = path.join(tmpDir(), 'bin');
    mkdirSync(bin);
    for (const tool of ['git', 'mkfifo', 'sleep']) symlinkSync(spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim(), path.join(bin, tool));
    writeFileSync(path.join(bin, 'perl'), '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
    writeFileSync(path.join(bin, 'chrt'), '#!/bin/sh\nexec sleep 60\n', { mode: 0o755 });
    const t0 = Date.now();
    await withDaemon(
      [],
      undefined,
      (_nices, _policies, log, slices) => {
        expect(Date.now() - t0).toBeLessThan(20_000);
        expect(slices.every((ns) => ns === kernelSlice())).toBe(true);
        expect(log).toMatch(/note: a longer time slice could not be set \(spawnSync perl ETIMEDOUT; no time left for chrt\)/);
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
