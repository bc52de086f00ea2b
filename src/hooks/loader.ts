/**
 * A hook's entry file: compiles the hook's bundle (about 700 KB, the
 * largest part of a hook's start-up) with a V8 code cache kept in
 * $GIT_DIR/gatos/cache (code-cache.ts). A cache problem never changes what
 * the hook decides or its exit status: it only costs time.
 * Bundled by scripts/build.mjs as hooks/<hook> (pre-receive) and
 * hooks/update.cjs, with GATOS_BUNDLE naming the file beside it. A bundle
 * that is missing, unreadable, truncated or never starts the hook refuses
 * the push here (loader-refusal.ts): the fail-closed wrapper lives in the
 * bundle, so it cannot cover its own loading. That refusal (with its audit
 * writer, about 120 KB) is carried as deflated text (GATOS_REFUSAL) and
 * compiled only when it runs: compiling it on every push cost about 5 ms
 * (decision 0042), and scanning it as a plain string literal about 4 ms more
 * (decision 0046).
 * Adapter.
 */
import path from 'node:path';
import vm from 'node:vm';
import { hookCacheDir, runBundleCached } from '../loader/code-cache';
import { restoreHostNodeEnv } from './host-node-env';
import { isHookWorker } from '../push/worker-env';

declare const GATOS_BUNDLE: string;
/** src/hooks/loader-refusal.ts, bundled as CommonJS text by scripts/build.mjs, deflated (zlib) and in base64. */
declare const GATOS_REFUSAL: string;

/** The status of a refusal, HOOK_EXIT.GATE_ERROR (src/gate/verdict.ts). */
const REFUSED = 2;
/** Set by the hook once it runs (exit.ts): a bundle that ends without setting it never decided anything. */
const HOOK_STARTED = Symbol.for('gatos.hookStarted');

// Before anything starts a process: the variables the stub kept from this node go back to everything it starts.
restoreHostNodeEnv(process.env);
const bundle = path.join(__dirname, GATOS_BUNDLE);
const hook = GATOS_BUNDLE.startsWith('update') ? 'update' : 'pre-receive';
/** A worker thread of this hook (sig-pool.ts, event-pool.ts), never the hook process itself (worker-env.ts). */
const worker = isHookWorker();
// Fail closed from here on: whatever happens before the hook itself runs, the status is "refused" (2).
if (!worker) process.exitCode = REFUSED;
/** Compiles and runs the bundle; throws if it is missing, unreadable, truncated or never starts the hook. */
function runBundle(): void {
  // The cache lives in $GIT_DIR/gatos/cache, which clients cannot write; the bundle needs only Node's builtins, so it gets
  // this file's own require (no node:module to load). Signature workers (sig-pool.ts) run
  // this file too; only the main thread writes (a worker_threads import would cost start-up).
  const { note } = runBundleCached(bundle, hookCacheDir(), !worker, require);
  // For GATOS_TRACE (trace.ts): what the cache did and what compiling cost.
  (globalThis as Record<symbol, unknown>)[Symbol.for('gatos.codeCache')] = note;
  // A bundle cut at a statement boundary can compile and run without ever starting the hook.
  if (!worker && (globalThis as Record<symbol, unknown>)[HOOK_STARTED] !== true) throw new Error('the file ran but never started the hook (truncated?)');
}

type Refusal = {
  refuseUnloadable(hook: 'pre-receive' | 'update', bundle: string, e: unknown): never;
  refuseUnsafeStart(hook: 'pre-receive' | 'update', why: string): never;
};

/**
 * Refuses the push with loader-refusal.ts (`how` picks its refusal; it audits and exits); where not even that can
 * run, with `plain` and nothing recorded. Never returns.
 */
function refuse(how: (r: Refusal) => never, plain: string): never {
  try {
    const mod = { exports: {} as Refusal };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { inflateSync } = require('node:zlib') as typeof import('node:zlib');
    const code = inflateSync(Buffer.from(GATOS_REFUSAL, 'base64')).toString('utf8');
    const wrapper = new vm.Script(`(function (exports, require, module) {${code}\n})`, { filename: path.join(__dirname, `${hook}.cjs (refusal)`) });
    (wrapper.runInThisContext() as (x: unknown, r: NodeRequire, m: unknown) => void)(mod.exports, require, mod);
    how(mod.exports);
  } catch {
    // Not even the refusal could run: refuse without it (nothing recorded).
  }
  process.stderr.write(`gatos gate: refused: ${plain} [GATE_ERROR]\n`);
  process.exit(REFUSED);
}

// A node started with an IPC channel (NODE_CHANNEL_FD; with NODE_UNIQUE_ID a cluster worker) exits 0 when the channel
// closes, over the refusal status, before any decision. The stubs start it without them; whoever did not is refused
// here, synchronously, before the event loop could see the channel close.
if (!worker && process.channel !== undefined) {
  const why = 'with an IPC channel (NODE_CHANNEL_FD), whose close ends a cluster worker with status 0';
  refuse((r) => r.refuseUnsafeStart(hook, why), `the gate's node was started ${why}, so it did not decide`);
}

try {
  runBundle();
} catch (e) {
  // A missing, unreadable, truncated or throwing bundle: the gate never ran, so the loader refuses (a signature worker just fails; its pool falls back).
  if (worker) throw e;
  refuse((r) => r.refuseUnloadable(hook, GATOS_BUNDLE, e), `the gate's hook file ${GATOS_BUNDLE} cannot be loaded, so nothing could be checked`);
}
