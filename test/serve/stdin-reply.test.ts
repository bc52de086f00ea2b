/**
 * The installed pre-receive client (hooks/pre-receive, POSIX sh) against a
 * scripted daemon, under dash, bash and busybox sh: no git and no push. The
 * "daemon" is a `sleep` holding the request FIFO open (the pid file names
 * it, so the client's liveness check is the real one) while this test reads
 * the requests and writes the replies into the client's stdin pipe, as
 * `gatos serve` does for `gatos-push-3` (decision 0047). The cold hook beside
 * the client is a stand-in that prints the update lines it was given and
 * exits 7, so each test sees which way the client went and on which lines.
 * The daemon dies or the client is killed at the steps an attacker's review
 * of decision 0047 found open (docs/security.md, "Fourth pass"), and of
 * decision 0050: once the daemon took the request, the client holds no
 * writing end of its stdin and no watcher runs, so the daemon's death is
 * the end of the pipe. A killed process's descriptors are closed by the
 * kernel; the scripted daemon's reply is this test's descriptor, so the
 * test closes it when it kills the `sleep`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, closeSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startTimeOfStat } from '../../src/hooks/records';
import { REPO_ROOT } from '../helpers/gate-world';
import { isExecutable, required } from '../helpers/requires';

jest.setTimeout(20_000);

const LINES = `${'1'.repeat(40)} ${'2'.repeat(40)} refs/heads/main\n`;
const SHELLS: [string, string[]][] = [
  ['dash', ['/usr/bin/dash']],
  ['bash', ['/usr/bin/bash', '--posix']],
  ...(required('busybox (busybox sh runs the hook client)', isExecutable('/usr/bin/busybox'), 'busybox') ? [['busybox sh', ['/usr/bin/busybox', 'sh']] as [string, string[]]] : []),
];

interface Request {
  readonly nonce: string;
  readonly pid: number;
}

interface Ended {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const until = async (what: () => boolean): Promise<void> => {
  while (!what()) await new Promise((r) => setTimeout(r, 10));
};

/** Gone, or a zombie nobody reaped (a container's init may not). */
const ended = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(') ') + 2).startsWith('Z');
  } catch {
    return true;
  }
};

describe.each(SHELLS)('the pre-receive client under %s, against a scripted daemon', (_name, shell) => {
  let root: string;
  let gitDir: string;
  let dir: string;
  let hook: string;
  let daemon: ChildProcess;
  let fifo: number;
  let requests: net.Socket;
  let onRequest: (r: Request) => void = () => undefined;
  const clients: ChildProcess[] = [];

  /** A `sleep` holding the request FIFO on its descriptor 0, named by the pid file: a live daemon to the client. */
  const startDaemon = async (): Promise<void> => {
    const held = openSync(path.join(dir, 'requests'), constants.O_RDWR | constants.O_NONBLOCK);
    daemon = spawn('sleep', ['600'], { stdio: [held, 'ignore', 'ignore'] });
    closeSync(held);
    const pid = daemon.pid as number;
    let start: string | undefined;
    await until(() => (start = startTimeOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'))) !== undefined && readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep'));
    writeFileSync(path.join(dir, 'pid'), `gatos-daemon-2 ${pid} ${start ?? ''} 0\n`, { mode: 0o600 });
  };

  /** The client's stdin, opened for writing as the daemon opens it; the marker removed: the request is accepted. */
  const accept = (r: Request): net.Socket => {
    const reply = new net.Socket({ fd: openSync(`/proc/${r.pid}/fd/0`, constants.O_WRONLY | constants.O_NONBLOCK), readable: false, writable: true });
    reply.on('error', () => undefined);
    rmSync(path.join(dir, `r.${r.nonce}`));
    return reply;
  };

  /**
   * The client as git runs a hook: its stdin an anonymous pipe (Node's own stdio pipes are socket pairs), here
   * from `printf` in a shell pipeline; its pid comes in its request. Its own process group, killed after each test.
   */
  const run = (env: Record<string, string> = {}): { proc: ChildProcess; done: Promise<Ended> } => {
    const proc = spawn('/bin/sh', ['-c', 'l=$1; shift; printf %s "$l" | "$@"', 'sh', LINES, ...shell, hook], {
      cwd: gitDir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GIT_DIR: gitDir, GATOS_TRACE: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    clients.push(proc);
    let stdout = '';
    let stderr = '';
    proc.stdout?.on('data', (b: Buffer) => (stdout += b.toString()));
    proc.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
    return { proc, done: new Promise((resolve) => proc.once('close', (status) => resolve({ status, stdout, stderr }))) };
  };

  beforeAll(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'gatos-stdin-reply-'));
    gitDir = path.join(root, 'repo.git');
    dir = path.join(gitDir, 'gatos', 'daemon');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const hooks = path.join(root, 'hooks');
    mkdirSync(hooks);
    hook = path.join(hooks, 'pre-receive');
    copyFileSync(path.join(REPO_ROOT, 'hooks', 'pre-receive'), hook);
    chmodSync(hook, 0o755);
    writeFileSync(path.join(hooks, 'pre-receive.cjs'), "let s = '';\nprocess.stdin.on('data', (d) => (s += d)).on('end', () => {\n  process.stdout.write('cold:' + s);\n  process.exit(7);\n});\n");
    expect(spawnSync('mkfifo', ['-m', '600', path.join(dir, 'requests')]).status).toBe(0);
    fifo = openSync(path.join(dir, 'requests'), constants.O_RDWR | constants.O_NONBLOCK);
    requests = new net.Socket({ fd: fifo, readable: true, writable: false });
    let pending = '';
    requests.on('data', (b: Buffer) => {
      pending += b.toString('latin1');
      for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
        const [magic = '', nonce = '', pid = ''] = pending.slice(0, nl).split(' ');
        pending = pending.slice(nl + 1);
        expect(magic).toBe('gatos-push-3');
        onRequest({ nonce, pid: Number(pid) });
      }
    });
  });

  beforeEach(startDaemon);

  afterEach(() => {
    for (const c of clients.splice(0)) {
      try {
        process.kill(-(c.pid as number), 'SIGKILL');
      } catch {
        // Ended already.
      }
    }
    daemon.kill('SIGKILL');
    for (const n of readdirSync(dir)) if (n.startsWith('r.')) rmSync(path.join(dir, n));
  });

  afterAll(() => {
    requests?.destroy();
    rmSync(root, { recursive: true, force: true });
  });

  it('relays the remote lines and accepts on the status for its own nonce', async () => {
    onRequest = (r) => accept(r).end(`ofrom the daemon\nx ${r.nonce} 0\n`);
    const r = await run().done;
    expect(r.stderr).toContain('from the daemon\n');
    expect(r.stderr).toContain('decided by the daemon');
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: '' });
  });

  /** The client's children that still run (a zombie nobody reaped has ended): its watcher, if any. */
  const children = (client: number): number[] =>
    readdirSync('/proc')
      .filter((n) => /^[0-9]+$/.test(n))
      .filter((n) => {
        try {
          const stat = readFileSync(`/proc/${n}/stat`, 'utf8');
          const fields = stat.slice(stat.lastIndexOf(') ') + 2).split(' ');
          return fields[1] === String(client) && fields[0] !== 'Z';
        } catch {
          return false;
        }
      })
      .map(Number);

  /** Both ways the client waits: it finds the request taken at once (no watcher), or it starts the watcher first. */
  describe.each([
    ['taken at once', '100000'],
    ['taken after the watcher started', '0'],
  ])('a request %s', (_how, spins) => {
    const env = { GATOS_DAEMON_SPINS: spins };

    it('a daemon that dies in the middle of a line leaves the push to the cold hook, not waiting forever', async () => {
      // Its last write cut short (a full pipe), then SIGKILL: the kernel closes its end of the pipe.
      onRequest = (r) => {
        const reply = accept(r);
        reply.write('opart of a line', () => {
          daemon.kill('SIGKILL');
          reply.destroy();
        });
      };
      const r = await run(env).done;
      expect(r.stderr).toContain('the daemon stopped before its verdict; deciding without the daemon');
      expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 7, stdout: `cold:${LINES}` });
    });

    it('once the daemon took the request, no process watches it and the verdict still counts', async () => {
      let reply: net.Socket | undefined;
      let client = 0;
      let nonce = '';
      onRequest = (r) => {
        reply = accept(r);
        client = r.pid;
        nonce = r.nonce;
      };
      const { done } = run(env);
      await until(() => client > 0);
      await until(() => children(client).length === 0);
      expect(ended(client)).toBe(false);
      reply?.end(`ofrom the daemon\nx ${nonce} 0\n`);
      const r = await done;
      expect(r.stderr).toContain('decided by the daemon');
      expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: '' });
    });
  });

  it('a daemon that dies before taking the request leaves the push to the cold hook', async () => {
    onRequest = () => daemon.kill('SIGKILL');
    const r = await run({ GATOS_DAEMON_SPINS: '0' }).done;
    expect(r.stderr).toContain('the daemon stopped before its verdict; deciding without the daemon');
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 7, stdout: `cold:${LINES}` });
  });

  it('a client killed before the daemon takes its request leaves no watcher behind', async () => {
    let client = 0;
    onRequest = (r) => {
      client = r.pid;
    };
    const { done } = run({ GATOS_DAEMON_SPINS: '0' });
    await until(() => client > 0);
    // The watcher: the client's child running the liveness loop (its own children are the `sleep`s it ticks with).
    let watcher: number[] = [];
    await until(() => (watcher = children(client)).length > 0);
    process.kill(client, 'SIGKILL');
    await done;
    await until(() => watcher.every(ended));
    expect(existsSync(path.join(dir, 'pid'))).toBe(true);
  });
});
