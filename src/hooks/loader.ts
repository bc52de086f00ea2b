/**
 * A hook's entry file: compiles the hook's bundle (about 800 KB, the
 * largest part of a hook's start-up) with a V8 code cache kept in
 * $GIT_DIR/gatos/cache, which clients cannot write. The cache is named by
 * the bundle's sha256 and this Node's version and carries a sha256 of its
 * own bytes; a missing, corrupt or rejected cache means compiling as usual
 * and writing a fresh one when the hook exits. A cache problem never
 * changes what the hook decides or its exit status: it only costs time.
 * Bundled by scripts/build.mjs as hooks/<hook> (pre-receive) and
 * hooks/update.cjs, with GATOS_BUNDLE naming the file beside it. A bundle
 * that is missing, unreadable, truncated or never starts the hook refuses
 * the push here (loader-refusal.ts): the fail-closed wrapper lives in the
 * bundle, so it cannot cover its own loading. Adapter.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { HOOK_EXIT } from '../gate/verdict';
import { HOOK_STARTED, refuseUnloadable } from './loader-refusal';

declare const GATOS_BUNDLE: string;

const MAGIC = 'gatos-v8-code-cache-1\n';
const DIGEST_BYTES = 32;

const sha256 = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();

/** The cached data, if the file holds a whole, untampered cache; anything else is no cache. */
function readCache(file: string): Buffer | undefined {
  try {
    const b = readFileSync(file);
    const head = MAGIC.length;
    if (b.length <= head + DIGEST_BYTES || b.toString('latin1', 0, head) !== MAGIC) return undefined;
    const data = b.subarray(head + DIGEST_BYTES);
    return sha256(data).equals(b.subarray(head, head + DIGEST_BYTES)) ? data : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file: string, data: Buffer): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.concat([Buffer.from(MAGIC, 'latin1'), sha256(data), data]), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // No cache this time; the next run compiles again.
  }
}

const bundle = path.join(__dirname, GATOS_BUNDLE);
const hook = GATOS_BUNDLE.startsWith('update') ? 'update' : 'pre-receive';
const worker = process.env.GATOS_SIGNATURE_WORKER === '1';
// Fail closed from here on: whatever happens before the hook itself runs, the status is "refused" (2).
if (!worker) process.exitCode = HOOK_EXIT.GATE_ERROR;
/** Compiles and runs the bundle; throws if it is missing, unreadable, truncated or never starts the hook. */
function runBundle(): void {
  const bytes = readFileSync(bundle);
  const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) {';
  const wrapped = `${WRAP_HEAD}${bytes.toString('utf8')}\n})`;
  // Named by the bundle's bytes, hashed as read (hashing the decoded text cost twice as much), and by the wrapper.
  const cacheFile = path.join(process.env.GIT_DIR ?? '.', 'gatos', 'cache', `${path.basename(bundle)}-${createHash('sha256').update(WRAP_HEAD).update(bytes).digest('hex')}-node${process.version}-${process.arch}.v8`);
  const cached = readCache(cacheFile);
  const t0 = process.hrtime.bigint();
  const script = new vm.Script(wrapped, { filename: bundle, ...(cached ? { cachedData: cached } : {}) });
  // For GATOS_TRACE (trace.ts): what the cache did and what compiling cost (hrtime: the `performance` global loads perf_hooks, ~1-2 ms).
  (globalThis as Record<symbol, unknown>)[Symbol.for('gatos.codeCache')] = `${!cached ? 'none, written at exit' : script.cachedDataRejected === true ? 'rejected by V8, rewritten at exit' : 'used'}; compiled in ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`;
  // Signature workers (sig-pool.ts) run this file too; only the main thread writes (a worker_threads import would cost start-up).
  if (!worker && (!cached || script.cachedDataRejected === true)) {
    // At exit the functions this run compiled are in the cache too; exit handlers run synchronously, whatever the status.
    process.once('exit', () => {
      try {
        writeCache(cacheFile, script.createCachedData());
      } catch {
        // As above: only time is lost.
      }
    });
  }
  const mod = { exports: {} as unknown };
  (script.runInThisContext() as (e: unknown, r: NodeRequire, m: unknown, f: string, d: string) => void)(mod.exports, createRequire(bundle), mod, bundle, path.dirname(bundle));
  // A bundle cut at a statement boundary can compile and run without ever starting the hook.
  if (!worker && (globalThis as Record<symbol, unknown>)[HOOK_STARTED] !== true) throw new Error('the file ran but never started the hook (truncated?)');
}

try {
  runBundle();
} catch (e) {
  // A missing, unreadable, truncated or throwing bundle: the gate never ran, so the loader refuses (a signature worker just fails; its pool falls back).
  if (worker) throw e;
  refuseUnloadable(hook, GATOS_BUNDLE, e);
}
