/**
 * Phase timings of one hook run, for operators and for profiling: with
 * GATOS_TRACE=1 in the hook's environment the hook prints, on stderr (the
 * client sees it on `remote:` lines), how long each phase took, counted from
 * the start of the Node process so that start-up shows too. Off by default;
 * it never changes a decision. Adapter (reads the clock and the process's CPU time).
 */
import type { EnvRecord } from '../gate';
import { codeCacheDeferred } from '../loader/code-cache';

export interface Trace {
  /** Closes the current phase under `name`. */
  mark(name: string): void;
  /** Adds `ms` to the phase `name` (a phase measured by its own piece of work, not by marks). */
  add(name: string, ms: number): void;
  /** A line of its own in the report. */
  note(text: string): void;
  /** Runs `work` as the phase `name`. */
  span<T>(name: string, work: () => Promise<T>): Promise<T>;
  /** Prints every phase, then the total, once. */
  report(print: (line: string) => void): void;
}

const off: Trace = {
  mark: () => undefined,
  add: () => undefined,
  note: () => undefined,
  span: (_name, work) => work(),
  report: () => undefined,
};

export function traceOf(env: EnvRecord, label: string): Trace {
  if (env.GATOS_TRACE !== '1') return off;
  const phases: [string, number][] = [];
  const notes: string[] = [];
  let last = performance.now();
  phases.push(['node start-up and hook load', last]);
  let reported = false;
  return {
    mark(name) {
      const t = performance.now();
      phases.push([name, t - last]);
      last = t;
    },
    add(name, ms) {
      phases.push([name, ms]);
    },
    note(text) {
      notes.push(text);
    },
    async span(name, work) {
      const t = performance.now();
      try {
        return await work();
      } finally {
        phases.push([name, performance.now() - t]);
      }
    },
    report(print) {
      if (reported) return;
      reported = true;
      for (const [name, ms] of phases) print(`gatos trace: ${label}: ${ms.toFixed(1).padStart(8)} ms  ${name}`);
      const codeCache = (globalThis as Record<symbol, unknown>)[Symbol.for('gatos.codeCache')];
      if (typeof codeCache === 'string') print(`gatos trace: ${label}: V8 code cache ${codeCacheDeferred() ? codeCache.replace('written at exit', 'left to the next run to write') : codeCache}`);
      for (const n of notes) print(`gatos trace: ${label}: ${n}`);
      const cpu = process.cpuUsage();
      const m = process.memoryUsage();
      const mb = (n: number): string => (n / 1048576).toFixed(0);
      print(`gatos trace: ${label}: memory now: ${mb(m.rss)} MB resident, V8 heap ${mb(m.heapUsed)} of ${mb(m.heapTotal)} MB, external ${mb(m.external)} MB`);
      print(`gatos trace: ${label}: ${performance.now().toFixed(1).padStart(8)} ms  total since the process started (CPU of this process: ${(cpu.user / 1000).toFixed(0)} ms user, ${(cpu.system / 1000).toFixed(0)} ms system; peak memory ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB)`);
    },
  };
}
