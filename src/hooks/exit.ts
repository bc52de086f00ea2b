/**
 * How a hook process ends. git reads only the exit status, so the status
 * is "refused" (2) from the first line on and becomes the decision's status
 * only when a decision was reached: if the work ever stalls on a promise that
 * nothing will settle (a child process whose pipes no longer hold the event
 * loop), Node would otherwise drain the loop and exit with 0, accepting a
 * push nobody decided. Adapter (the process).
 */
const REFUSED = 2;
/**
 * How long an ending hook waits for git to take the rest of its output: a reader that never does (git killed, a
 * client gone) must not hold the push, whose status is already set.
 */
const OUTPUT_WAIT_MS = 10_000;

/**
 * Tells whether anything in this process made `process.stderr`. Node makes it on first read of the property, and
 * for a pipe (git's stderr) that is a `net.Socket` with the stream modules under it: about 2 ms of a cold hook
 * (decision 0067), which an accepting push that prints nothing need not pay just to learn nothing is queued. The
 * property is watched, not the hook's own printing, so that whatever any code has queued on the stream by the time
 * the decision is reached (a `console.error`, a warning already printed) still holds the exit until it is written.
 * Where the property cannot be watched, it counts as made.
 */
function watchStderr(): () => boolean {
  const own = Object.getOwnPropertyDescriptor(process, 'stderr');
  const get = own?.get;
  if (!own || !get || !own.configurable) return () => true;
  let made = false;
  Object.defineProperty(process, 'stderr', {
    configurable: true,
    enumerable: own.enumerable,
    get() {
      made = true;
      return get.call(process);
    },
  });
  return () => made;
}

/**
 * Exits with `status` once stderr has written everything asked of it. Under git stderr is a pipe, where Node
 * writes asynchronously (POSIX): exiting with writes still queued (a pipe full at 64 KiB, git reading slower than
 * the hook wrote) dropped the end of a long refusal, the reasons of its last refs with it.
 */
function exitAfterOutput(status: number, stderrMade: () => boolean): void {
  process.exitCode = status;
  if (!stderrMade() || process.stderr.writableLength === 0) process.exit(status);
  // Writes complete in order: this callback runs once every earlier one has.
  process.stderr.write('', () => process.exit(status));
  setTimeout(() => process.exit(status), OUTPUT_WAIT_MS);
}

export function exitWhenDecided(work: () => Promise<number>, print: (line: string) => void): void {
  process.exitCode = REFUSED;
  const stderrMade = watchStderr();
  // The loader checks this: a bundle that never got here (cut short) refuses there (loader-refusal.ts).
  (globalThis as Record<symbol, unknown>)[Symbol.for('gatos.hookStarted')] = true;
  let settled = false;
  process.once('beforeExit', () => {
    if (settled) return;
    print('gatos gate: refused: the gate stopped before it decided [GATE_ERROR]');
    process.exit(REFUSED);
  });
  // A synchronous throw in `work` is a failure like any other.
  Promise.resolve().then(work).then(
    (status) => {
      settled = true;
      exitAfterOutput(status, stderrMade);
    },
    (e: unknown) => {
      settled = true;
      print(`gatos gate: refused: the gate failed: ${e instanceof Error ? e.message : String(e)} [GATE_ERROR]`);
      exitAfterOutput(REFUSED, stderrMade);
    },
  );
}
