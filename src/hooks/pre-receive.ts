/** The pre-receive hook: every ref of the push at once, with push options and certificates. Entry point (bundled to hooks/pre-receive). */
import { readFileSync } from 'node:fs';
import { parseUpdateLines } from '../gate';
import { runHook } from './run-hook';

const stdin = readFileSync(0, 'utf8');
runHook({
  hook: 'pre-receive',
  gitDir: process.env.GIT_DIR ?? '.',
  env: process.env,
  updates: (format) => parseUpdateLines(format, stdin),
  self: process.argv[1],
  stdin,
  args: process.argv.slice(2),
  print: (l) => process.stderr.write(`${l}\n`),
  clockMs: () => Date.now(),
}).then(
  (status) => process.exit(status),
  (e: unknown) => {
    process.stderr.write(`gatos gate: refused: the gate failed: ${e instanceof Error ? e.message : String(e)} [GATE_ERROR]\n`);
    process.exit(2);
  },
);
