/**
 * `npm run bench`: runs every suite (or those named on the command line) and
 * prints one table. `--markdown` prints the table for docs/PERFORMANCE.md.
 */
import { suites } from './suites';
import { machineLine, renderTable, type BenchRow } from './harness';

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
  const chosen = wanted.length ? suites.filter((s) => wanted.includes(s.name)) : suites;
  const rows: (BenchRow & { suite: string })[] = [];
  for (const suite of chosen) {
    process.stderr.write(`bench: running ${suite.name}...\n`);
    for (const row of await suite.run()) rows.push({ ...row, suite: suite.name });
  }
  process.stdout.write(`machine: ${machineLine()}\n\n${renderTable(rows, markdown)}\n`);
  const notes = rows.filter((r) => r.note).map((r) => `- ${r.figure}: ${r.note}`);
  if (notes.length) process.stdout.write(`\n${notes.join('\n')}\n`);
}

run().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
