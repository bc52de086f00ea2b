/**
 * Real servers on loopback for the transport tests: a free port, a server
 * process started in the foreground and known to be listening before the
 * test goes on, and stopped by the test that started it (SIGTERM, then
 * SIGKILL after a bounded wait). Every wait here has a deadline, so a server
 * that hangs fails its test instead of the whole run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { isExecutable, required } from '../helpers/requires';

export const LOOPBACK = '127.0.0.1';

/** A port nobody listens on right now (the server may still lose a race for it: startServer retries). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, LOOPBACK, () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

/** Whether the server binary is here, by the one skip policy (test/helpers/requires.ts): skipped loudly, fails on CI. */
export function serverAvailable(what: string, binary: string, debianPackage: string): boolean {
  return required(`${binary} (for the ${what} transport tests)`, isExecutable(binary), debianPackage);
}

export interface ServerProcess {
  readonly port: number;
  readonly pid: number;
  /** Everything the server wrote to stdout and stderr so far (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

export interface ServerSpec {
  readonly name: string;
  readonly command: string;
  /** Arguments for a given port (config files are written per attempt by `prepare`). */
  readonly args: (port: number) => string[];
  /** Writes whatever the server needs for this port (config files); called before each attempt. */
  readonly prepare?: (port: number) => void;
  /** A line of the server's output that says it listens. */
  readonly ready: RegExp;
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Per attempt; default 10 s. */
  readonly timeoutMs?: number;
}

const live = new Set<ChildProcess>();
// If the test process itself dies, take our servers with it (never anyone else's).
process.once('exit', () => {
  for (const c of live) c.kill('SIGKILL');
});

/** Starts the server on a free loopback port; up to 3 attempts when the port was taken meanwhile. */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  let last = '';
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freeLoopbackPort();
    spec.prepare?.(port);
    const started = await attemptStart(spec, port);
    if (started.ok) return started.server;
    last = started.log;
    if (!/in use|bind|Address already/i.test(started.log)) break;
  }
  throw new Error(`${spec.name} did not start:\n${last}`);
}

async function attemptStart(spec: ServerSpec, port: number): Promise<{ ok: true; server: ServerProcess } | { ok: false; log: string }> {
  const child = spawn(spec.command, spec.args(port), { cwd: spec.cwd, env: spec.env, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), live.delete(child), resolve())));
  const ready = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), spec.timeoutMs ?? 10_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (spec.ready.test(output)) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (e) => ((output += `\n${String(e)}`), clearTimeout(timer), resolve(false)));
    void exit.then(() => (clearTimeout(timer), resolve(false)));
  });
  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exit;
    clearTimeout(killer);
  };
  if (!(await ready) || !(await accepts(port))) {
    await stop();
    return { ok: false, log: output };
  }
  return { ok: true, server: { port, pid: child.pid ?? -1, log: () => output, stop } };
}

/** One TCP connection to the port succeeds within a second. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: LOOPBACK, port });
    const done = (v: boolean) => (socket.destroy(), resolve(v));
    socket.setTimeout(1_000, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
