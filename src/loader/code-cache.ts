/**
 * Compiling a bundle with a V8 code cache: the hooks' and the CLI's start-up
 * is mostly V8 compiling a ~1 MB bundle, and a cache of that work cuts it to
 * a few milliseconds (docs/decisions/0011, docs/PERFORMANCE.md). The cache
 * file is named by the bundle's bytes, the wrapper, this Node's version and
 * architecture, and carries a sha256 of its own bytes: a missing, corrupt or
 * rejected cache means compiling as usual and writing a fresh one at exit.
 * A cache problem never changes what runs, only how long it takes. Adapter.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const MAGIC = 'gatos-v8-code-cache-1\n';
const DIGEST_BYTES = 32;
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) {';

const sha256 = (b: Buffer | string): Buffer => createHash('sha256').update(b).digest();

/** The cached data, if the bytes are a whole, untampered cache file; anything else is no cache. */
export function cacheData(b: Buffer): Buffer | undefined {
  const head = MAGIC.length;
  if (b.length <= head + DIGEST_BYTES || b.toString('latin1', 0, head) !== MAGIC) return undefined;
  const data = b.subarray(head + DIGEST_BYTES);
  return sha256(data).equals(b.subarray(head, head + DIGEST_BYTES)) ? data : undefined;
}

function readCache(file: string): Buffer | undefined {
  try {
    return cacheData(readFileSync(file));
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

/** Set (globally: the loader and the bundle it runs each have their own copy of this module) by deferCodeCacheWrite. */
const DEFERRED = Symbol.for('gatos.codeCacheDeferred');

/**
 * Asks the loader not to write a missing cache at this run's exit, because
 * this run took a path the next ones will not (a cold hook that loaded the
 * active bundle in full and recorded it, decision 0046): the cache holds the
 * functions the writing run compiled, so the next run, which writes it,
 * leaves out what later runs never call and keeps what they do.
 */
export function deferCodeCacheWrite(): void {
  (globalThis as Record<symbol, unknown>)[DEFERRED] = true;
}

/** Whether this run deferred writing the cache (for GATOS_TRACE). */
export function codeCacheDeferred(): boolean {
  return (globalThis as Record<symbol, unknown>)[DEFERRED] === true;
}

/** The hooks' cache folder: $GIT_DIR/gatos/cache, which clients cannot write. */
export function hookCacheDir(): string {
  return path.join(process.env.GIT_DIR ?? '.', 'gatos', 'cache');
}

/**
 * Compiles `bundle` (a CommonJS file) with the cache kept in `cacheDir` (none
 * when undefined) and runs it as a module, with `req` as its `require` (the
 * hooks' bundles need only Node's builtins and pass their loader's own;
 * absent: one made for the bundle's path). When `writeAtExit` and the cache
 * was missing or rejected, the cache is written when the process exits, so
 * it also holds the functions this run compiled lazily. Returns the
 * module's exports and, for GATOS_TRACE, what the cache did and what
 * compiling cost. Throws what reading, compiling or running the bundle throws.
 */
export function runBundleCached(bundle: string, cacheDir: string | undefined, writeAtExit: boolean, req?: NodeRequire): { exports: unknown; note: string } {
  const bytes = readFileSync(bundle);
  const wrapped = `${WRAP_HEAD}${bytes.toString('utf8')}\n})`;
  // Named by the bundle's bytes, hashed as read (hashing the decoded text cost twice as much), and by the wrapper.
  const cacheFile = cacheDir === undefined ? undefined : path.join(cacheDir, `${path.basename(bundle)}-${createHash('sha256').update(WRAP_HEAD).update(bytes).digest('hex')}-node${process.version}-${process.arch}.v8`);
  const cached = cacheFile === undefined ? undefined : readCache(cacheFile);
  // hrtime, not `performance`: that global loads perf_hooks (~1-2 ms).
  const t0 = process.hrtime.bigint();
  const script = new vm.Script(wrapped, { filename: bundle, ...(cached ? { cachedData: cached } : {}) });
  const state = cacheFile === undefined ? 'off' : !cached ? 'none, written at exit' : script.cachedDataRejected === true ? 'rejected by V8, rewritten at exit' : 'used';
  const note = `${state}; compiled in ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`;
  if (cacheFile !== undefined && writeAtExit && (!cached || script.cachedDataRejected === true)) {
    // Exit handlers run synchronously, whatever the status.
    process.once('exit', () => {
      if (codeCacheDeferred()) return;
      try {
        writeCache(cacheFile, script.createCachedData());
      } catch {
        // As above: only time is lost.
      }
    });
  }
  const mod = { exports: {} as unknown };
  // node:module (with the ES module loader and source maps it loads, about 1 ms of a cold hook's CPU) only when no require was given.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const bundleRequire = req ?? (require('node:module') as typeof import('node:module')).createRequire(bundle);
  (script.runInThisContext() as (e: unknown, r: NodeRequire, m: unknown, f: string, d: string) => void)(mod.exports, bundleRequire, mod, bundle, path.dirname(bundle));
  return { exports: mod.exports, note };
}
