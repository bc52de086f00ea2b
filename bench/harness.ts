/**
 * Benchmarks report every figure beside a reference measured in the same
 * run, as a ratio, so the numbers mean something on any machine.
 */
import os from 'node:os';

export interface BenchRow {
  /** What was measured, e.g. "walk 20,000 commits (gatos git adapter)". */
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  /** The reference it is compared with, e.g. "git log over the same commits". */
  readonly reference: string;
  readonly referenceValue: number;
  /** value / referenceValue, or as the suite defines it (stated in `note`). */
  readonly ratio: number;
  /** The target the issue sets, as text ("<= 1.5x"), and whether it is met. */
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}

export interface BenchSuite {
  readonly name: string;
  /** Runs only when named (`npm run bench -- <name>`): it takes minutes. */
  readonly byNameOnly?: boolean;
  run(): Promise<BenchRow[]>;
}

/** Median wall time in milliseconds of `fn` over `runs` runs after `warmup` runs. */
export async function timeMs(fn: () => unknown, runs = 5, warmup = 1): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? NaN;
}

/**
 * Median CPU time (user + system) in ms. lua5.4 reports os.clock(), which is
 * CPU time too; wall time on a shared machine would charge us for waiting.
 */
export function cpuMs(fn: () => unknown, runs: number, warmup: number): number {
  for (let i = 0; i < warmup; i++) fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    samples.push((c.user + c.system) / 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)] ?? NaN;
}

export function machineLine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown cpu';
  return `${os.cpus().length} x ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

export function renderTable(rows: readonly (BenchRow & { suite: string })[], markdown: boolean): string {
  const header = ['suite', 'figure', 'value', 'reference', 'ratio', 'target'];
  const body = rows.map((r) => [
    r.suite,
    r.figure,
    `${fmt(r.value)} ${r.unit}`,
    `${r.reference}: ${fmt(r.referenceValue)} ${r.unit}`,
    `${fmt(r.ratio)}x`,
    r.target ? `${r.target} ${r.met === undefined ? '' : r.met ? '(met)' : '(NOT met)'}`.trim() : '',
  ]);
  if (markdown) {
    // A '|' inside a cell (e.g. "git rev-list | git cat-file") would split the Markdown row.
    const line = (cells: string[]) => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
    return [line(header), line(header.map(() => '---')), ...body.map(line)].join('\n');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}
