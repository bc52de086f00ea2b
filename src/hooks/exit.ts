/**
 * How a hook process ends. git reads only the exit status, so the status
 * is "refused" (2) from the first line on and becomes the decision's status
 * only when a decision was reached: if the work ever stalls on a promise that
 * nothing will settle (a child process whose pipes no longer hold the event
 * loop), Node would otherwise drain the loop and exit with 0, accepting a
 * push nobody decided. Adapter (the process).
 */
const REFUSED = 2;

export function exitWhenDecided(work: () => Promise<number>, print: (line: string) => void): void {
  process.exitCode = REFUSED;
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
      process.exit(status);
    },
    (e: unknown) => {
      settled = true;
      print(`gatos gate: refused: the gate failed: ${e instanceof Error ? e.message : String(e)} [GATE_ERROR]`);
      process.exit(REFUSED);
    },
  );
}
