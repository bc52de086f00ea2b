/** The pre-receive hook: every ref of the push at once, with push options and certificates. Entry point (bundled to hooks/pre-receive). */
import { parseUpdateLines } from '../gate';
import { exitWhenDecided } from './exit';
import { runHook } from './run-hook';
import { hookEnv, readStdin } from './raw-input';
import { serveHookWorker } from '../push/event-pool';
import { isHookWorker } from '../push/worker-env';

const print = (l: string): void => void process.stderr.write(`${l}\n`);
if (isHookWorker()) {
  serveHookWorker();
} else {
  exitWhenDecided(() => {
    // Ref names are bytes: read without loss (raw-input.ts), the raw bytes passed on to a chained hook.
    const stdin = readStdin();
    return runHook({
      hook: 'pre-receive',
      gitDir: process.env.GIT_DIR ?? '.',
      env: hookEnv(),
      updates: (format) => parseUpdateLines(format, stdin.text),
      sampleId: stdin.text.split(' ', 1)[0],
      self: process.argv[1],
      stdin: stdin.bytes,
      args: process.argv.slice(2),
      print,
      write: (t) => void process.stderr.write(t),
      clockMs: () => Date.now(),
    });
  }, print);
}
