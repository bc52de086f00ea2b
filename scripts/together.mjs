// Runs npm scripts side by side and fails if any fails: `npm test` runs the
// type check and the linters this way, each on its own core (both are
// single-threaded; one after the other they cost CI about a minute).
// Each script's output is printed whole when it ends, so lines never mix.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error('together: name the npm scripts to run, e.g. node scripts/together.mjs typecheck lint');
  process.exit(2);
}
const runs = names.map(
  (name) =>
    new Promise((resolve) => {
      const child = spawn('npm', ['run', '-s', name], { stdio: ['ignore', 'pipe', 'pipe'] });
      const out = [];
      child.stdout.on('data', (b) => out.push(b));
      child.stderr.on('data', (b) => out.push(b));
      child.on('error', (e) => resolve({ name, status: 1, text: `${e.message}\n` }));
      child.on('close', (status, signal) => resolve({ name, status: status ?? 1, signal, text: Buffer.concat(out).toString() }));
    }).then((r) => {
      process.stdout.write(`> ${r.name}: ${r.status === 0 ? 'ok' : `failed (${r.signal ?? `exit ${r.status}`})`}\n${r.text}`);
      return r.status;
    }),
);
const statuses = await Promise.all(runs);
process.exit(statuses.some((s) => s !== 0) ? 1 : 0);
