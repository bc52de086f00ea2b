/**
 * `gatos serve` for the end-to-end daemon tests: started on real bare
 * repositories with HTTP on a free loopback port, stopped by a signal, and
 * its /metrics read with Node's fetch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cli';

export interface Served {
  readonly proc: ChildProcess;
  readonly port: number;
  /** What the daemon printed on stderr so far (its own log). */
  readonly log: () => string;
}

/** Starts `gatos serve` on the repositories (with `options`); resolves once it says it serves them. */
export function serve(repos: readonly string[], options: readonly string[] = []): Promise<Served> {
  const proc = spawn(process.execPath, [CLI, 'serve', ...repos.flatMap((r) => ['--repo', r]), '--http', '127.0.0.1:0', ...options], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    proc.stderr?.on('data', (b: Buffer) => (err += b.toString()));
    proc.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /metrics\n/.test(out) ? /:(\d+)\/metrics/.exec(out) : null;
      if (m) resolve({ proc, port: Number(m[1]), log: () => err });
    });
    proc.once('exit', (code) => reject(new Error(`gatos serve exited ${code}:\n${out}\n${err}`)));
  });
}

export function stopped(p: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (p.exitCode !== null || p.signalCode !== null) return resolve();
    p.once('exit', () => resolve());
    p.kill(signal);
  });
}

/** The value of metric `name` whose labels include `labels` in the Prometheus text `text`; 0 when absent. */
export function metric(text: string, name: string, labels: Record<string, string>): number {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && want.every((x) => l.includes(x)));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** The daemon's /metrics text. */
export async function metricsOf(daemon: Served): Promise<string> {
  return (await fetch(`http://127.0.0.1:${daemon.port}/metrics`)).text();
}
