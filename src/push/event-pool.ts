/**
 * A large push's events verified on every core (decision 0041). A push of
 * 100,000 events spent about three quarters of its CPU on the main thread
 * (reading, decoding, the canonical message, the fold dry-run), with only
 * the signatures on a second thread. Here worker threads, one per core, each
 * run this same hook file with a repository of their own (their own
 * `git cat-file`) and the active bundle loaded again, and check chunks of
 * the update's events with the very code the main thread runs
 * (gather.ts checkEvents). The main thread hands out chunks as workers
 * answer and puts the answers back in event order, whatever order they
 * arrive in: the facts, and so the decision, are the same as on one thread.
 *
 * Fail closed: a worker that cannot start, throws, exits, or answers
 * nothing for STALL_MS while it owes answers rejects the whole verification,
 * which the hook refuses with GATE_ERROR (run-hook.ts); nothing is accepted
 * on a partial answer. Adapter (threads).
 */
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { loadBundle } from '../bundle/load';
import { VerifyMemo } from '../events/memo';
import { openRepo, type ObjectFormat } from '../git';
import type { CommitFact, EventFact } from '../gate';
import { checkEvents, type CheckedEvents } from './gather';
import { HeapBound } from './heap-bound';
import { serveSignatures, workerThreads } from './sig-pool';
import { workerEnv } from './worker-env';


/** How a worker opens the repository the hook decides on: as the hook did. */
export interface RepoOpening {
  readonly gitDir: string;
  readonly env: Record<string, string | undefined>;
  readonly format: ObjectFormat;
  readonly cwd?: string;
}

interface WorkerInit extends RepoOpening {
  readonly role: 'events';
  readonly activeCommit: string;
}

/** One chunk of an update's events. */
interface Chunk {
  readonly seq: number;
  readonly ref: string;
  readonly now: number;
  readonly ids: readonly string[];
}

type Answer =
  | { readonly seq: number; readonly commits: CommitFact[]; readonly events: EventFact[]; readonly unreadable: [number, CheckedEvents['unreadable'][number]][] }
  | { readonly seq: number; readonly error: string };

export interface EventJob {
  readonly ref: string;
  readonly now: number;
  /** The active bundle the main thread loaded: the workers load the same commit. */
  readonly activeCommit: string;
  readonly ids: readonly string[];
}

/**
 * Below this many events the workers' start (each compiles the hook and
 * loads the active bundle, and warms its own compiled code) costs more than
 * sharing saves (decision 0041).
 */
const MIN_EVENTS = 8192;
/**
 * On two cores the main thread and the signature thread (sig-pool.ts)
 * already keep both busy, at about a tenth less CPU than two workers (each
 * compiles, warms and collects its own heap): measured in decision 0041.
 */
export const EVENT_WORKERS_MIN_CORES = 3;
/**
 * Events per chunk: at most MAX_CHUNK, so the last chunks even out the
 * threads; at least MIN_CHUNK, so a chunk's messages cost little; else an
 * eighth of a thread's share, so a small job is still spread over every
 * thread.
 */
const MAX_CHUNK = 512;
const MIN_CHUNK = 64;
/** Chunks a worker holds at once, so it never waits for the next while the main thread is busy. */
const AHEAD = 3;
/** A worker that owes answers and gives none for this long is taken as hung. */
const STALL_MS = 60_000;

/** An error's message, also of one thrown in a worker (which arrives as a copy, not an Error of this thread). */
const message = (e: unknown): string => (e instanceof Error ? e.message : typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e));

/** Serves the role the worker was started with: event chunks, or signatures (sig-pool.ts). */
export function serveHookWorker(): void {
  const data = workerThreads().workerData as Partial<WorkerInit> | undefined;
  if (data?.role === 'events') serveEvents(data as WorkerInit);
  else serveSignatures();
}

function serveEvents(init: WorkerInit): void {
  const { parentPort } = workerThreads();
  if (!parentPort) return;
  const ready = (async () => {
    const repo = await openRepo(init.gitDir, { env: init.env, format: init.format, ...(init.cwd ? { cwd: init.cwd } : {}) });
    if (!repo.ok) throw new Error(`the repository cannot be opened: ${repo.error.message}`);
    const memo = new VerifyMemo();
    // The main thread loaded and verified this commit as the active bundle (and recorded it in the verified cache).
    const loaded = await loadBundle(repo.value, init.activeCommit, { verifiedCache: true, loaded: memo.bundles });
    if (!loaded.ok) throw new Error(`the active bundle cannot be loaded: ${loaded.error.message}`);
    return { repo: repo.value, memo, active: { commit: init.activeCommit, loaded: loaded.value }, heap: HeapBound.start() };
  })();
  // Rejected only where awaited.
  ready.catch(() => undefined);
  parentPort.on('message', (m: Chunk | 'close') => {
    if (m === 'close') {
      void ready.then((s) => s.repo.close(), () => undefined).then(() => parentPort.postMessage('closed'));
      return;
    }
    void (async (): Promise<Answer> => {
      try {
        const s = await ready;
        const r = await checkEvents(s.repo, m.ids, { ref: m.ref, active: s.active, memo: s.memo, now: m.now, remember: false, heap: s.heap });
        const unreadable: [number, CheckedEvents['unreadable'][number]][] = [];
        r.unreadable.forEach((e, i) => unreadable.push([i, e]));
        return { seq: m.seq, commits: r.commits, events: r.events, unreadable };
      } catch (e) {
        return { seq: m.seq, error: message(e) };
      }
    })().then((a) => parentPort.postMessage(a));
  });
}

/**
 * The main thread's side: workers started on the first job large enough,
 * kept for the push's other updates, ended by close().
 */
export class EventWorkers {
  private workers: Worker[] | undefined;
  private activeCommit: string | undefined;
  private failure: Error | undefined;
  private readonly onFailure = new Set<(e: Error) => void>();

  constructor(
    private readonly script: string,
    private readonly opening: RepoOpening,
    readonly threads: number = os.availableParallelism(),
    readonly minEvents: number = MIN_EVENTS,
    private readonly stallMs: number = STALL_MS,
  ) {}

  /**
   * Every event of `job` checked, results in event order. `answered` is told
   * of each chunk as it is merged (its events' facts may be replaced there,
   * e.g. interned) with the number of events it holds. Rejects if any
   * worker fails, so the push is refused.
   */
  async verify(job: EventJob, answered: (events: EventFact[], n: number) => void): Promise<CheckedEvents> {
    const workers = this.start(job.activeCommit);
    const n = job.ids.length;
    const out: CheckedEvents = { commits: new Array<CommitFact>(n), events: new Array<EventFact>(n), unreadable: [] };
    const chunk = Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.ceil(n / (8 * workers.length))));
    const chunks = Math.ceil(n / chunk);
    return new Promise<CheckedEvents>((resolve, reject) => {
      let next = 0;
      let done = 0;
      let settled = false;
      const owed = new Map<Worker, Set<number>>(workers.map((w) => [w, new Set<number>()]));
      let stall: NodeJS.Timeout | undefined;
      const finish = (e?: Error): void => {
        if (settled) return;
        settled = true;
        if (stall) clearTimeout(stall);
        for (const w of workers) {
          w.off('message', listeners.get(w) as (m: Answer) => void);
          w.unref();
        }
        this.onFailure.delete(finish);
        if (e) reject(e);
        else resolve(out);
      };
      const armStall = (): void => {
        if (stall) clearTimeout(stall);
        stall = setTimeout(() => this.fail(new Error(`an event-verifying worker thread answered nothing for ${this.stallMs} ms`)), this.stallMs);
      };
      const give = (w: Worker, upTo = AHEAD): void => {
        const mine = owed.get(w) as Set<number>;
        while (mine.size < upTo && next < chunks) {
          const seq = next++;
          mine.add(seq);
          w.postMessage({ seq, ref: job.ref, now: job.now, ids: job.ids.slice(seq * chunk, (seq + 1) * chunk) } satisfies Chunk);
        }
      };
      const listeners = new Map<Worker, (m: Answer) => void>();
      for (const w of workers) {
        const listener = (m: Answer): void => {
          if (settled || typeof m !== 'object' || !(owed.get(w) as Set<number>).delete(m.seq)) return;
          if ('error' in m) {
            this.fail(new Error(`an event-verifying worker thread failed: ${m.error}`));
            return;
          }
          const base = m.seq * chunk;
          answered(m.events, m.events.length);
          for (let i = 0; i < m.events.length; i++) {
            out.events[base + i] = m.events[i] as EventFact;
            const c = m.commits[i];
            if (c) out.commits[base + i] = c;
          }
          for (const [i, e] of m.unreadable) out.unreadable[base + i] = e;
          done++;
          if (done === chunks) finish();
          else {
            armStall();
            give(w);
          }
        };
        listeners.set(w, listener);
        w.on('message', listener);
      }
      this.onFailure.add(finish);
      if (this.failure) {
        finish(this.failure);
        return;
      }
      if (chunks === 0) {
        finish();
        return;
      }
      // Held while answers are owed, so Node waits for them.
      for (const w of workers) w.ref();
      // Dealt round the threads one chunk at a time, so a small job is not all on the first.
      for (let k = 1; k <= AHEAD; k++) for (const w of workers) give(w, k);
      armStall();
    });
  }

  /** Ends the workers (each closes its git process first, briefly waited for). */
  async close(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = undefined;
    await Promise.all(
      workers.map(async (w) => {
        if (!this.failure) {
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 2000);
            w.on('message', (m) => {
              if (m === 'closed') {
                clearTimeout(t);
                resolve();
              }
            });
            w.postMessage('close');
          });
        }
        await w.terminate();
      }),
    );
  }

  private start(activeCommit: string): Worker[] {
    if (this.workers && this.activeCommit === activeCommit) return this.workers;
    if (this.workers) throw new Error('event workers were started for another active bundle');
    const { Worker: W } = workerThreads();
    const workerData: WorkerInit = { role: 'events', activeCommit, gitDir: this.opening.gitDir, env: this.opening.env, format: this.opening.format, ...(this.opening.cwd ? { cwd: this.opening.cwd } : {}) };
    const workers: Worker[] = [];
    for (let i = 0; i < Math.max(1, this.threads); i++) {
      const w = new W(this.script, { env: workerEnv(), argv: [], workerData });
      w.unref();
      w.on('error', (e) => this.fail(new Error(`an event-verifying worker thread failed: ${message(e)}`)));
      w.on('exit', (code) => {
        if (this.workers?.includes(w)) this.fail(new Error(`an event-verifying worker thread exited (code ${code})`));
      });
      w.on('messageerror', (e) => this.fail(new Error(`an event-verifying worker thread sent an unreadable answer: ${message(e)}`)));
      workers.push(w);
    }
    this.workers = workers;
    this.activeCommit = activeCommit;
    return workers;
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const f of [...this.onFailure]) f(this.failure);
  }
}
