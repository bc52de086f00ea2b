/** The pre-receive hook: every ref of the push at once, with push options and certificates. Entry point (bundled to hooks/pre-receive). */
import { readFileSync } from 'node:fs';
import { parseUpdateLines } from '../gate';
import { exitWhenDecided } from './exit';
import { runHook } from './run-hook';
import { isSignatureWorker, serveSignatures } from './sig-pool';

const print = (l: string): void => void process.stderr.write(`${l}\n`);
if (isSignatureWorker()) {
  serveSignatures();
} else {
  exitWhenDecided(() => {
    const stdin = readFileSync(0, 'utf8');
    return runHook({
      hook: 'pre-receive',
      gitDir: process.env.GIT_DIR ?? '.',
      env: process.env,
      updates: (format) => parseUpdateLines(format, stdin),
      sampleId: stdin.split(' ', 1)[0],
      self: process.argv[1],
      stdin,
      args: process.argv.slice(2),
      print,
      clockMs: () => Date.now(),
    });
  }, print);
}
