/**
 * The daemon as a whole: the served repositories (daemon.ts) and the HTTP
 * endpoints for operators, on a loopback address unless told otherwise:
 *   /healthz  200 while the process runs
 *   /readyz   200 when every served repository's active bundle is verified
 *             and loaded and its audit ref writable; 503 naming what is not
 *   /metrics  the Prometheus text format (metrics.ts)
 * Adapter (network, signals).
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { LooseCache } from '../git/loose';
import { DAEMON_FILE } from '../ops/doctor';
import { GateMetrics } from './metrics';
import { ServedRepo, type RepoStatus } from './daemon';
import { WAIT_BUDGET_MS_PER_S, WaitBudget, waitForRequest } from './request-wait';
import { ColdReader, coldLabels } from './cold';

export interface DaemonOptions {
  readonly repos: readonly string[];
  /** host:port; undefined: no HTTP. */
  readonly http?: { readonly host: string; readonly port: number };
  readonly log: (line: string) => void;
  /**
   * How long the daemon waits on the CPU for a request after deciding a push ahead (request-wait.ts, decisions 0065
   * and 0066); 0 or absent: it never does (a daemon that git's processes cannot preempt must not).
   */
  readonly requestWaitMs?: number;
  /** How it was scheduled at start (`gatos serve --sched`), for gatos_daemon_scheduling_info; absent: not reported. */
  readonly scheduling?: { readonly sched: string; readonly policy: 'normal' | 'idle'; readonly sliceNs?: number };
}

export interface Daemon {
  readonly repos: readonly ServedRepo[];
  readonly metrics: GateMetrics;
  /** The HTTP address actually bound (port 0 picks one). */
  readonly address?: { readonly host: string; readonly port: number };
  close(): Promise<void>;
}

const PRUNE_EVERY_MS = 60_000;

function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, file);
}
const CLIENT_MAX_AGE_MS = 3_600_000;

/** host:port, an IPv6 host in brackets; port 0 picks a free one. */
export function parseAddress(text: string): { host: string; port: number } | undefined {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):([0-9]{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  const host = (m[1] as string).replace(/^\[|\]$/g, '');
  return { host, port };
}

function refreshGauges(metrics: GateMetrics, statuses: readonly RepoStatus[]): void {
  metrics.bundle.clear();
  for (const s of statuses) {
    if (s.policyRoot === undefined) continue;
    const roots = s.foldRoots.length > 0 ? s.foldRoots : [''];
    for (const f of roots) metrics.bundle.set({ repo: s.gitDir, policy_root: s.policyRoot, fold_root: f }, 1);
  }
}

export async function startDaemon(opts: DaemonOptions): Promise<Daemon> {
  const metrics = new GateMetrics();
  const sc = opts.scheduling;
  if (sc) metrics.scheduling.set({ sched: sc.sched, policy: sc.policy, slice_ns: sc.sliceNs === undefined ? '' : String(sc.sliceNs), waits: String((opts.requestWaitMs ?? 0) > 0) }, 1);
  // One store of kept loose objects for every repository served: one bound for the process (decision 0049).
  const objects = new LooseCache();
  const waitMs = opts.requestWaitMs ?? 0;
  const budget = new WaitBudget(WAIT_BUDGET_MS_PER_S);
  const decidedAheadKept = (from: ServedRepo): void => {
    // Never while a request is being served (the wait would hold up its I/O), nor past the budget: pushers who keep
    // many quarantines open cannot make the daemon spin for more than a share of a second.
    if (waitMs <= 0 || repos.some((r) => r.busy)) return;
    const start = process.hrtime.bigint();
    if (!budget.allows(start, waitMs)) return;
    // Any served repository's request ends the wait: each is served as its own FIFO's reads would have served it.
    const taken = waitForRequest(repos, waitMs, () => process.hrtime.bigint());
    budget.spent(start, process.hrtime.bigint());
    metrics.requestWaits.inc({ repo: from.gitDir, outcome: taken ? 'taken' : 'timed_out' });
    taken?.source.take(taken.chunk);
  };
  const repos: ServedRepo[] = opts.repos.map((r) => new ServedRepo(r, metrics, opts.log, objects, decidedAheadKept));
  for (const r of repos) {
    r.pruneClients(CLIENT_MAX_AGE_MS, Date.now());
    r.listen(waitMs > 0);
  }
  // Warm every bundle before the first push (and log what cannot be loaded); readiness reports it.
  for (const s of await Promise.all(repos.map((r) => r.status()))) {
    opts.log(s.ready ? `serving ${s.gitDir} (active bundle ${s.policyRoot ?? ''})` : `serving ${s.gitDir}, not ready: ${s.reason ?? ''}`);
  }
  const prune = setInterval(() => {
    for (const r of repos) r.pruneClients(CLIENT_MAX_AGE_MS, Date.now());
  }, PRUNE_EVERY_MS);
  prune.unref();
  const cold = repos.map((r) => ({ repo: r.gitDir, reader: new ColdReader(r.gitDir) }));
  const countCold = (): void => {
    for (const { repo, reader } of cold) {
      for (const d of reader.next()) {
        metrics.cold.inc({ repo });
        metrics.coldDecisions.inc(coldLabels(repo, d));
      }
      if (metrics.cold.value({ repo }) === 0) metrics.cold.set({ repo }, 0);
    }
  };
  countCold();
  let server: http.Server | undefined;
  let address: { host: string; port: number } | undefined;
  if (opts.http) {
    const srv = http.createServer((req, res) => {
      void handle(req.url ?? '/', repos, metrics, countCold).then(
        ({ status, type, body }) => {
          res.writeHead(status, { 'content-type': type });
          res.end(body);
        },
        (e: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end(`${e instanceof Error ? e.message : String(e)}\n`);
        },
      );
    });
    server = srv;
    const want = opts.http;
    await new Promise<void>((resolve, reject) => {
      srv.once('error', reject);
      srv.listen(want.port, want.host, () => resolve());
    });
    const a = srv.address();
    address = a && typeof a === 'object' ? { host: want.host, port: a.port } : want;
    // For `gatos doctor` (src/ops/doctor.ts): which process serves the repository, and where to ask /readyz.
    const url = `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`;
    for (const r of repos) writeAtomic(path.join(r.gitDir, ...DAEMON_FILE), `${JSON.stringify({ pid: process.pid, http: url })}\n`);
  }
  return {
    repos,
    metrics,
    ...(address ? { address } : {}),
    async close() {
      clearInterval(prune);
      if (server) for (const r of repos) rmSync(path.join(r.gitDir, ...DAEMON_FILE), { force: true });
      await Promise.all(repos.map((r) => r.close()));
      // Keep-alive connections (a scraper's) would hold close() open.
      server?.closeAllConnections();
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    },
  };
}

interface Response {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

const TEXT = 'text/plain; charset=utf-8';

async function handle(url: string, repos: readonly ServedRepo[], metrics: GateMetrics, countCold: () => void): Promise<Response> {
  const p = url.split('?', 1)[0];
  if (p === '/healthz') return { status: 200, type: TEXT, body: 'ok\n' };
  if (p === '/readyz') {
    const statuses = await Promise.all(repos.map((r) => r.status()));
    refreshGauges(metrics, statuses);
    const lines = statuses.map((s) => (s.ready ? `ready ${s.gitDir} ${s.policyRoot ?? ''}` : `not ready ${s.gitDir}: ${s.reason ?? ''}`));
    return { status: statuses.every((s) => s.ready) ? 200 : 503, type: TEXT, body: `${lines.join('\n')}\n` };
  }
  if (p === '/metrics') {
    refreshGauges(metrics, await Promise.all(repos.map((r) => r.status())));
    countCold();
    return { status: 200, type: 'text/plain; version=0.0.4; charset=utf-8', body: metrics.text() };
  }
  return { status: 404, type: TEXT, body: 'not found: /healthz, /readyz, /metrics\n' };
}
