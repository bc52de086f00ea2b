/**
 * Running a CommonJS file of the hooks through a V8 code cache kept in
 * $GIT_DIR/gatos/cache, which clients cannot write: the hook bundles
 * (loader.ts) and the compilers part (compilers-part.ts). The cache is named
 * by the file's sha256 and this Node's version and carries a sha256 of its
 * own bytes; a missing, corrupt or rejected cache means compiling as usual
 * and writing a fresh one when the process exits (then it holds the
 * functions this run compiled too). A cache problem never changes what runs
 * or its outcome: it only costs time. Adapter.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

const MAGIC = 'gatos-v8-code-cache-1\n';
const DIGEST_BYTES = 32;
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) {';

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

/**
 * Compiles and runs `file` as a CommonJS module, returning its exports and,
 * for GATOS_TRACE, what the cache did. `writeAtExit`: only the main thread
 * writes a cache (a signature worker runs the hook file too). Throws what
 * reading or running the file throws.
 */
export function runCached(file: string, gitDir: string, writeAtExit: boolean): { exports: unknown; note: string } {
  const bytes = readFileSync(file);
  const wrapped = `${WRAP_HEAD}${bytes.toString('utf8')}\n})`;
  // Named by the file's bytes, hashed as read (hashing the decoded text cost twice as much), and by the wrapper.
  const cacheFile = path.join(gitDir, 'gatos', 'cache', `${path.basename(file)}-${createHash('sha256').update(WRAP_HEAD).update(bytes).digest('hex')}-node${process.version}-${process.arch}.v8`);
  const cached = readCache(cacheFile);
  const t0 = process.hrtime.bigint();
  const script = new vm.Script(wrapped, { filename: file, ...(cached ? { cachedData: cached } : {}) });
  // hrtime: the `performance` global loads perf_hooks (~1-2 ms).
  const note = `${!cached ? 'none, written at exit' : script.cachedDataRejected === true ? 'rejected by V8, rewritten at exit' : 'used'}; compiled in ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms`;
  if (writeAtExit && (!cached || script.cachedDataRejected === true)) {
    // Exit handlers run synchronously, whatever the status.
    process.once('exit', () => {
      try {
        writeCache(cacheFile, script.createCachedData());
      } catch {
        // As above: only time is lost.
      }
    });
  }
  const mod = { exports: {} as unknown };
  (script.runInThisContext() as (e: unknown, r: NodeRequire, m: unknown, f: string, d: string) => void)(mod.exports, createRequire(file), mod, file, path.dirname(file));
  return { exports: mod.exports, note };
}
