/**
 * `npm run bench`: runs every suite (or those named on the command line) and
 * prints one table. A suite marked `byNameOnly` (the 100,000-event push,
 * minutes long) runs only when named: `npm run bench -- large`. `--markdown` prints the table for docs/PERFORMANCE.md.
 *
 * Each suite runs in its own Node process: in one shared process the heap an
 * earlier suite leaves behind slowed later ones (the incremental checkpoint
 * measured 1,453 ms after the gate suite, 367 ms alone).
 */
import { spawnSync } from 'node:child_process';
import { suites } from './suites';
import { machineLine, renderTable, type BenchRow } from './harness';

type Row = BenchRow & { suite: string };

const ROWS_FLAG = '--rows-json';

async function runInProcess(name: string): Promise<Row[]> {
  const suite = suites.find((s) => s.name === name);
  if (!suite) throw new Error(`unknown suite ${name}`);
  return (await suite.run()).map((row) => ({ ...row, suite: name }));
}

function runInChild(name: string): Row[] {
  process.stderr.write(`bench: running ${name}...\n`);
  const r = spawnSync(process.execPath, [__filename, name, ROWS_FLAG], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`suite ${name} failed (exit ${r.status})`);
  return JSON.parse(r.stdout) as Row[];
}

async function run(): Promise<void> {
  const args = process.argv.slice(2);
  const markdown = args.includes('--markdown');
  const wanted = args.filter((a) => !a.startsWith('--'));
  const unknown = wanted.filter((w) => !suites.some((s) => s.name === w));
  if (unknown.length > 0) {
    process.stderr.write(`bench: unknown suite(s) ${unknown.join(', ')}; known: ${suites.map((s) => s.name).join(', ')}\n`);
    process.exitCode = 2;
    return;
  }
  if (args.includes(ROWS_FLAG)) {
    process.stdout.write(JSON.stringify(await runInProcess(wanted[0] ?? '')));
    return;
  }
  const chosen = wanted.length ? wanted : suites.filter((s) => !s.byNameOnly).map((s) => s.name);
  const rows = chosen.flatMap(runInChild);
  process.stdout.write(`machine: ${machineLine()}\n\n${renderTable(rows, markdown)}\n`);
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.figure}: ${r.note}`);
  if (notes.length) process.stdout.write(`\n${notes.join('\n')}\n`);
}

run().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
