/**
 * Issue 12's large-push row: N signed events (100,000 unless
 * GATOS_BENCH_LARGE_EVENTS says fewer) in one push over file:// into a bare
 * repository with the gate installed, beside the machine's floor for the same
 * work, measured in the same run:
 *   (a) node:crypto ed25519 verification of the same N signatures over the
 *       same envelope bytes, spread over every core (worker_threads,
 *       os.availableParallelism()), keys parsed and data handed over before
 *       the clock starts: the median of 3 rounds;
 *   (b) `git cat-file --batch` reading the same objects (every commit, tree
 *       and blob of the pushed journal, 3N objects) from the repository,
 *       its output drained into this process: the median of 3.
 * The floor is (a) + (b): on a machine whose every core (a) already keeps
 * busy, the reading cannot hide behind the verifying, so the two add up.
 * The floor's three rounds bracket the gated push (one before, two after),
 * so a shared machine's changing load weighs on both sides; a second row
 * compares CPU time (the hook's two threads against the floor's threads and
 * git process), which moves less with the load.
 *
 * The decision time is the pre-receive hook's own wall time, from the start
 * of its Node process to its verdict (GATOS_TRACE=1's total line, which also
 * prints the peak memory, process.resourceUsage().maxRSS). The push minus the
 * same push into a hook-less copy (pack transfer and index-pack in both) is in
 * the row's note. Takes minutes at 100,000: not part of a plain
 * `npm run bench`; run it with `npm run bench -- large`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { readRawEvent } from '../src/events/read';
import { openRepo } from '../src/git';
import { append, env, gatedServer, sh, twin } from './gate.bench';
import { median } from './stats';
import type { BenchRow, BenchSuite } from './harness';

const JOURNAL = 'refs/gatos/journal/bench/user/alice';
/** Issue 12's bounds. */
const RATIO_TARGET = 2;
const PEAK_MB = 256;
const ROUNDS = 3;

const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' / ');
const log = (s: string): void => void process.stderr.write(`bench large: ${s}\n`);

interface Signed {
  readonly key: Uint8Array;
  readonly message: Uint8Array;
  readonly sig: Uint8Array;
}

/** The signature, key and signed bytes of the events `ids` (untimed set-up of the floor). */
async function signedEvents(gitDir: string, ids: readonly string[], e: NodeJS.ProcessEnv): Promise<Signed[]> {
  const o = await openRepo(gitDir, { env: e });
  if (!o.ok) throw new Error(o.error.message);
  const repo = o.value;
  const hex = (m: string, name: string): Uint8Array => {
    const h = new RegExp(`^${name}: ed25519:([0-9a-f]+)$`, 'm').exec(m)?.[1];
    if (!h) throw new Error(`no ${name} trailer`);
    return Buffer.from(h, 'hex');
  };
  const out: Signed[] = [];
  try {
    for (let i = 0; i < ids.length; i += 1024) {
      const raws = await Promise.all(ids.slice(i, i + 1024).map((id) => readRawEvent(repo, id)));
      for (const r of raws) {
        if (!r.ok) throw new Error(r.error.message);
        const m = r.value.commit.message ?? '';
        out.push({ key: hex(m, 'Signer'), message: r.value.envelopeBytes, sig: hex(m, 'Sig') });
      }
    }
  } finally {
    await repo.close();
  }
  return out;
}

/** The worker: parses its share once, then verifies all of it on every 'go'. Plain node:crypto, nothing of ours. */
const VERIFIER = `
const { parentPort } = require('node:worker_threads');
const { createPublicKey, verify } = require('node:crypto');
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');
parentPort.once('message', (buf) => {
  const b = Buffer.from(buf);
  const keys = new Map();
  const items = [];
  for (let at = 0; at < b.length; ) {
    const hex = b.toString('hex', at, at + 32);
    let k = keys.get(hex);
    if (!k) { k = createPublicKey({ key: Buffer.concat([SPKI, b.subarray(at, at + 32)]), format: 'der', type: 'spki' }); keys.set(hex, k); }
    const sig = b.subarray(at + 32, at + 96);
    const len = b.readUInt32BE(at + 96);
    items.push([k, b.subarray(at + 100, at + 100 + len), sig]);
    at += 100 + len;
  }
  parentPort.on('message', () => {
    let good = 0;
    for (const [k, m, s] of items) if (verify(null, m, k, s)) good++;
    parentPort.postMessage(good);
  });
  parentPort.postMessage('ready');
});
`;

function pack(items: readonly Signed[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of items) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(s.message.byteLength);
    parts.push(Buffer.from(s.key), Buffer.from(s.sig), len, Buffer.from(s.message));
  }
  return Buffer.concat(parts);
}

interface Round {
  readonly ms: number;
  /** CPU (user + system) of the work measured: the verifying threads, or the git process. */
  readonly cpuMs: number;
}

/**
 * Floor (a): `threads` workers, each holding its share of the signatures
 * (parsed once, before any clock starts); each round verifies all of them.
 * The CPU of a round is this process's, whose main thread only waits.
 */
class Verifier {
  private constructor(private readonly workers: readonly Worker[]) {}

  static async start(items: readonly Signed[], threads: number): Promise<Verifier> {
    const share = Math.ceil(items.length / threads);
    const v = new Verifier(Array.from({ length: threads }, () => new Worker(VERIFIER, { eval: true })));
    await Promise.all(v.workers.map((w, i) => v.ask(w, pack(items.slice(i * share, (i + 1) * share)))));
    return v;
  }

  private ask(w: Worker, m: unknown): Promise<unknown> {
    return new Promise((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
      w.postMessage(m);
    });
  }

  async round(): Promise<Round & { good: number }> {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    const counts = await Promise.all(this.workers.map((w) => this.ask(w, 'go')));
    const c = process.cpuUsage(c0);
    return { ms: Number(process.hrtime.bigint() - t0) / 1e6, cpuMs: (c.user + c.system) / 1000, good: counts.reduce((a: number, n) => a + Number(n), 0) };
  }

  close(): Promise<unknown> {
    return Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * Floor (b): `git cat-file --batch` over `ids`, its whole output read by this
 * process; the git process's CPU from the shell's `times` (its children's).
 */
function catFile(gitDir: string, ids: readonly string[], e: NodeJS.ProcessEnv): Promise<Round & { bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const p = spawn('sh', ['-c', 'git --git-dir "$1" cat-file --batch && times >&2', 'sh', gitDir], { env: e, stdio: ['pipe', 'pipe', 'pipe'] });
    let bytes = 0;
    let err = '';
    p.stdout.on('data', (c: Buffer) => {
      bytes += c.length;
    });
    p.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    p.on('error', reject);
    p.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      // `times`: the shell's own user and system time, then its children's, each as <m>m<s>s.
      const t = [...err.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60_000 + Number(m[2]) * 1000);
      if (code !== 0 || t.length < 4) reject(new Error(`git cat-file --batch failed (exit ${code}): ${err}`));
      else resolve({ ms, cpuMs: (t[2] as number) + (t[3] as number), bytes });
    });
    p.stdin.end(`${ids.join('\n')}\n`);
  });
}

/** The pre-receive hook's GATOS_TRACE lines, as the client sees them on `remote:` lines. */
function hookTrace(stderr: string): { totalMs: number; peakMb: number; cpuMs: number; phases: string[]; notes: string[] } {
  const lines = stderr.split(/[\r\n]/).map((l) => l.replace(/^remote: /, '')).filter((l) => l.startsWith('gatos trace: pre-receive:'));
  const total = lines.map((l) => /([\d.]+) ms {2}total since the process started.*peak memory (\d+) MB/.exec(l)).find((m) => m);
  if (!total) throw new Error(`no GATOS_TRACE total line from pre-receive in:\n${stderr.slice(-4000)}`);
  const own = lines.map((l) => l.replace('gatos trace: pre-receive: ', '').trim());
  const phases = own.filter((l) => /^[\d.]+ ms {2}/.test(l) && !l.includes('total since'));
  // The CPU of the hook (both threads) and its notes (collections, signatures on the second thread, memory at the end).
  const cpu = /CPU of this process: ([^;]+);/.exec(total[0])?.[1];
  const cpuMs = /(\d+) ms user, (\d+) ms system/.exec(cpu ?? '');
  const notes = own.filter((l) => !/^[\d.]+ ms {2}/.test(l) && !l.startsWith('V8 code cache'));
  return { totalMs: Number(total[1]), peakMb: Number(total[2]), cpuMs: Number(cpuMs?.[1] ?? NaN) + Number(cpuMs?.[2] ?? NaN), phases, notes: [...(cpu ? [`CPU ${cpu}`] : []), ...notes] };
}

export const largeSuite: BenchSuite = {
  name: 'large',
  byNameOnly: true,
  async run(): Promise<BenchRow[]> {
    const n = Math.max(1, Number(process.env.GATOS_BENCH_LARGE_EVENTS ?? '100000'));
    const root = mkdtempSync(path.join(os.tmpdir(), 'gatos-bench-large-'));
    const keyDir = path.join(root, 'keys');
    const now = Math.floor(Date.now() / 1000);
    const e = env(keyDir);
    const srv = path.join(root, 'srv.git');
    try {
      gatedServer(root, srv, keyDir, now, 'journal:append');
      const client = path.join(root, 'client');
      sh('git', ['init', '-q', '-b', 'main', client], root, e);
      sh('git', ['fetch', '-q', srv, '+refs/gatos/*:refs/gatos/*'], client, e);
      log(`making ${n} signed events (load ${load()})`);
      const t0 = Date.now();
      await append(client, e, keyDir, n, now);
      log(`made in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      const plain = twin(root, srv, 'large').plain;
      // GATOS_EVENT_WORKERS_MIN (decision 0041) reaches the hook when set, to compare the event workers with the main thread.
      const workersMin = process.env.GATOS_EVENT_WORKERS_MIN;
      const pe = env(keyDir, { GATOS_ACTOR: 'user:alice', GATOS_TRACE: '1', ...(workersMin ? { GATOS_EVENT_WORKERS_MIN: workersMin } : {}) });
      // The floor's signatures: those of the events just made (the very bytes the push carries), parsed before any clock starts.
      const commits = sh('git', ['rev-list', '--reverse', JOURNAL], client, e).trim().split('\n');
      const threads = os.availableParallelism();
      const verifier = await Verifier.start(await signedEvents(path.join(client, '.git'), commits, e), threads);
      try {
        const push = (dir: string): { ms: number; stderr: string } => {
          const s = process.hrtime.bigint();
          const r = spawnSync('git', ['push', dir, JOURNAL], { cwd: client, env: pe, encoding: 'utf8', maxBuffer: 1 << 28 });
          const ms = Number(process.hrtime.bigint() - s) / 1e6;
          if (r.status !== 0) throw new Error(`push to ${dir} failed:\n${r.stderr.slice(-4000)}`);
          return { ms, stderr: r.stderr };
        };
        const verifies: Round[] = [];
        const reads: (Round & { bytes: number })[] = [];
        // The floor's rounds bracket the gated push (one before it, two after), so a change in the shared machine's load
        // weighs on both sides; each reads the objects as a push leaves them (the pack index-pack wrote).
        const floorRound = async (dir: string, objects: readonly string[]): Promise<void> => {
          const v = await verifier.round();
          if (v.good !== n) throw new Error(`the floor verified ${v.good} of ${n} signatures`);
          verifies.push(v);
          reads.push(await catFile(dir, objects, e));
          log(`floor round: verify ${v.ms.toFixed(0)} ms over ${threads} threads, cat-file ${reads.at(-1)?.ms.toFixed(0) ?? '?'} ms (load ${load()})`);
        };
        const loads: string[] = [load()];
        log(`pushing into a hook-less copy (load ${loads[0] ?? ''})`);
        const plainPush = push(plain);
        const objects = sh('git', ['--git-dir', plain, 'rev-list', '--objects', JOURNAL], root, e).trim().split('\n').map((l) => l.split(' ')[0] as string);
        await floorRound(plain, objects);
        loads.push(load());
        log(`pushing into the gated repository (load ${loads[1] ?? ''})`);
        const gatedPush = push(srv);
        loads.push(load());
        const trace = hookTrace(gatedPush.stderr);
        log(`decided in ${(trace.totalMs / 1000).toFixed(1)} s, peak ${trace.peakMb} MB (load ${loads[2] ?? ''})`);
        for (let r = 1; r < ROUNDS; r++) await floorRound(srv, objects);
        loads.push(load());

        const verifyMs = median(verifies.map((r) => r.ms));
        const readMs = median(reads.map((r) => r.ms));
        const floor = verifyMs + readMs;
        const floorCpu = median(verifies.map((r) => r.cpuMs)) + median(reads.map((r) => r.cpuMs));
        const ratio = trace.totalMs / floor;
        const added = gatedPush.ms - plainPush.ms;
        const phases = trace.phases.map((p) => p.replace(/^([\d.]+) ms {2}/, (_m, ms: string) => `${Number(ms).toFixed(0)} ms `)).join('; ');
        const list = (rs: readonly Round[], k: 'ms' | 'cpuMs'): string => rs.map((r) => r[k].toFixed(0)).join('/');
        return [
          {
            figure: `push of ${n} signed events: the gate's decision (pre-receive wall time)`,
            value: trace.totalMs,
            unit: 'ms',
            reference: `floor: ed25519 verify of the same signatures over ${threads} threads + git cat-file --batch of the same ${objects.length} objects`,
            referenceValue: floor,
            ratio,
            target: `<= ${RATIO_TARGET}x`,
            met: ratio <= RATIO_TARGET,
            note: `floor = verify ${verifyMs.toFixed(0)} ms (node:crypto, ${threads} worker threads; rounds ${list(verifies, 'ms')} ms, median) + cat-file ${readMs.toFixed(0)} ms (${(reads[0]?.bytes ?? 0) >>> 20} MiB read; rounds ${list(reads, 'ms')} ms, median), summed because (a) already occupies every core; one floor round before the gated push, ${ROUNDS - 1} after; the push took ${gatedPush.ms.toFixed(0)} ms against ${plainPush.ms.toFixed(0)} ms into a hook-less copy (${added.toFixed(0)} ms added); load average (1/5/15 min) ${loads.join(', then ')}; hook phases (GATOS_TRACE): ${phases}; ${trace.notes.join('; ')}`,
          },
          {
            figure: `push of ${n} signed events: the gate's CPU (both threads of the hook)`,
            value: trace.cpuMs,
            unit: 'ms',
            reference: 'floor CPU: the verifying threads + the git cat-file process',
            referenceValue: floorCpu,
            ratio: trace.cpuMs / floorCpu,
            note: `CPU time moves less with the machine's load than wall time: the wall row's companion, no target of its own; floor CPU = verify ${list(verifies, 'cpuMs')} ms + cat-file ${list(reads, 'cpuMs')} ms (medians summed)`,
          },
          {
            figure: `push of ${n} signed events: the pre-receive hook's peak memory`,
            value: trace.peakMb,
            unit: 'MB',
            reference: 'target',
            referenceValue: PEAK_MB,
            ratio: trace.peakMb / PEAK_MB,
            target: `< ${PEAK_MB} MB`,
            met: trace.peakMb < PEAK_MB,
            note: 'process.resourceUsage().maxRSS of the pre-receive hook (GATOS_TRACE total line); the signature thread is inside it',
          },
        ];
      } finally {
        await verifier.close();
      }
    } finally {
      if (!process.env.GATOS_KEEP_TMP) rmSync(root, { recursive: true, force: true });
    }
  },
};
