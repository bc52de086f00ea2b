/**
 * The environment of the hook's own worker threads (sig-pool.ts, event-pool.ts): the process's, marked with
 * WORKER_FLAG, without the variables the hook stubs keep from the gate's node (decision 0067). Node parses
 * NODE_OPTIONS again for a worker started with an environment of its own, so code it `--require`s or `--import`s
 * would run in the worker, where it could answer the main thread's checks. The stubs start the gate's node without
 * them, and the loader gives them back for the processes the hook starts (src/hooks/host-node-env.ts), never for
 * its threads. Adapter (the process's environment).
 */
import GATE_NODE_ENV from './gate-node-env.json';

/** The mark the pools give their worker threads; trusted only off the main thread (isHookWorker). */
const WORKER_FLAG = 'GATOS_SIGNATURE_WORKER';

/**
 * Whether this thread is one of the hook's worker threads. The mark alone proves nothing: the hooks' own
 * environment may carry it (a host's, any file:// pusher's), and the hook process must never take a worker's part
 * (the loader skips its fail-closed checks for one), so only a thread that is not the main one counts.
 * node:worker_threads is loaded only when the mark is there: a hook process pays nothing for the check.
 */
export function isHookWorker(): boolean {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return process.env[WORKER_FLAG] === '1' && !(require('node:worker_threads') as typeof import('node:worker_threads')).isMainThread;
}

/**
 * What the hook stubs start the gate's node without and keep, set or empty, for the processes it starts
 * (src/push/gate-node-env.json, which scripts/build.mjs writes into the stubs as well).
 */
export const KEPT_FROM_THE_GATE: readonly string[] = GATE_NODE_ENV.kept;

export function workerEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env, [WORKER_FLAG]: '1' };
  for (const name of KEPT_FROM_THE_GATE) delete out[name];
  return out;
}
