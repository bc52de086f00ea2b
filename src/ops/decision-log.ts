/**
 * The local decision log on disk: `$GIT_DIR/gatos/decisions.log`, one line
 * per decision (src/gate/decision-log.ts formats it), rotated by size to
 * decisions.log.1 (newest) .. decisions.log.<keep> (oldest). Writers are
 * the hooks and the daemon, any number at once: each line is one O_APPEND
 * write() of at most PIPE_BUF bytes, so lines never interleave; rotation
 * runs under an exclusive lock file, and a writer that finds it held
 * writes to the current file and leaves rotation to the holder. Writing
 * never throws: the caller gets an error to warn about, and the push's
 * verdict is the same whether the log was written or not. Adapter.
 */
import { closeSync, fstatSync, mkdirSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { err, gateError, ok, type Result } from '../core/result';
import { decisionLine, parseDecisionLine, type DecisionFacts, type DecisionLogSettings, type DecisionRecord } from '../gate/decision-log';

export const DECISION_LOG_FILE = 'decisions.log';
/** Held while one writer rotates; a lock older than a minute is left over from a writer that died (gatos repair removes it). */
export const ROTATE_LOCK_SUFFIX = '.rotate-lock';

export const decisionLogPath = (gitDir: string): string => path.join(gitDir, 'gatos', DECISION_LOG_FILE);

// Duck-typed: errors from node:fs are not instances of the caller's Error in every realm (jest's vm contexts).
const code = (e: unknown): string | undefined => (typeof e === 'object' && e !== null && 'code' in e && typeof e.code === 'string' ? e.code : undefined);
const message = (e: unknown): string => (typeof e === 'object' && e !== null && 'message' in e && typeof e.message === 'string' ? e.message : String(e));

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** decisions.log -> .1 -> .2 ... -> .<keep> (the oldest dropped), under the lock; false when another writer holds it. */
function rotate(file: string, keep: number, maxBytes: number, adding: number): boolean {
  const lock = `${file}${ROTATE_LOCK_SUFFIX}`;
  let fd: number;
  try {
    fd = openSync(lock, 'wx', 0o600);
  } catch (e) {
    if (code(e) === 'EEXIST') return false;
    throw e;
  }
  try {
    // Another writer may have rotated between our look and the lock.
    const size = sizeOf(file);
    if (size === 0 || size + adding <= maxBytes) return true;
    for (let i = keep - 1; i >= 1; i--) {
      try {
        renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      } catch (e) {
        if (code(e) !== 'ENOENT') throw e;
      }
    }
    renameSync(file, `${file}.1`);
    return true;
  } finally {
    closeSync(fd);
    unlinkSync(lock);
  }
}

function openAppend(file: string): number {
  try {
    return openSync(file, 'a', 0o600);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    return openSync(file, 'a', 0o600);
  }
}

/** Appends one formatted line (decisionLine) to the repository's log; an error says what failed, nothing is thrown. */
export function appendDecision(gitDir: string, line: string, settings: DecisionLogSettings): Result<{ readonly rotated: boolean }> {
  if (!settings.enabled) return ok({ rotated: false });
  const file = decisionLogPath(gitDir);
  const bytes = Buffer.from(line);
  try {
    // Opened first, its folder made only when missing, its size from the open file: one push used to pay a mkdir
    // and a stat for each line (decision 0049).
    let fd = openAppend(file);
    let rotated = false;
    try {
      const size = fstatSync(fd).size;
      // A line longer than the limit still goes into a file of its own.
      if (size > 0 && size + bytes.length > settings.maxBytes && rotate(file, settings.keep, settings.maxBytes, bytes.length)) {
        rotated = true;
        closeSync(fd);
        fd = -1;
        fd = openAppend(file);
      }
    } catch (e) {
      if (fd >= 0) closeSync(fd);
      throw e;
    }
    try {
      const n = writeSync(fd, bytes);
      if (n !== bytes.length) return err(gateError('GATE_ERROR', `${file}: wrote ${n} of ${bytes.length} bytes (the file system is full?)`));
    } finally {
      closeSync(fd);
    }
    return ok({ rotated });
  } catch (e) {
    return err(gateError('GATE_ERROR', `${file}: ${message(e)}`, { hint: `the host account must be able to create and append to ${file} (gatos doctor checks it)` }));
  }
}

/** Where a reader left off: the file (by inode, so a rotation is noticed) and the byte after the last whole line read. */
export interface DecisionCursor {
  readonly ino: number;
  readonly offset: number;
}

export interface DecisionRead {
  readonly records: DecisionRecord[];
  /** Lines that are not this version's format (counted, skipped). */
  readonly malformed: number;
  /** Pass it back to read only what was appended since. */
  readonly cursor: DecisionCursor;
}

function readWhole(file: string, from: number, into: DecisionRecord[]): { offset: number; malformed: number; ino: number } | undefined {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (e) {
    if (code(e) === 'ENOENT') return undefined;
    throw e;
  }
  try {
    const st = fstatSync(fd);
    const start = st.size < from ? 0 : from;
    const buf = Buffer.alloc(st.size - start);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (n === 0) break;
      got += n;
    }
    // A line another writer is appending right now is read next time.
    const end = buf.subarray(0, got).lastIndexOf(0x0a) + 1;
    let malformed = 0;
    for (const text of buf.subarray(0, end).toString('utf8').split('\n')) {
      if (text === '') continue;
      const r = parseDecisionLine(text);
      if (r) into.push(r);
      else malformed++;
    }
    return { offset: start + end, malformed, ino: st.ino };
  } finally {
    closeSync(fd);
  }
}

/**
 * The decisions appended since `from` (absent: the whole current file).
 * When the log was rotated since, the rest of the file the cursor points at
 * (now decisions.log.1) is read first, so no line is counted twice or lost
 * across one rotation. No log yet: no records.
 */
export function readDecisionLog(file: string, from?: DecisionCursor): Result<DecisionRead> {
  const records: DecisionRecord[] = [];
  try {
    let malformed = 0;
    let offset = from?.offset ?? 0;
    let current: number | undefined;
    try {
      current = statSync(file).ino;
    } catch (e) {
      if (code(e) !== 'ENOENT') throw e;
    }
    if (from && current !== from.ino) {
      let previous: number | undefined;
      try {
        previous = statSync(`${file}.1`).ino;
      } catch (e) {
        if (code(e) !== 'ENOENT') throw e;
      }
      if (previous === from.ino) malformed += readWhole(`${file}.1`, from.offset, records)?.malformed ?? 0;
      offset = 0;
    }
    const now = readWhole(file, offset, records);
    return ok({ records, malformed: malformed + (now?.malformed ?? 0), cursor: now ? { ino: now.ino, offset: now.offset } : { ino: 0, offset: 0 } });
  } catch (e) {
    return err(gateError('GATE_ERROR', `${file}: ${message(e)}`));
  }
}

/** Formats and appends one decision (the hooks and the daemon call this); the repository is named by its absolute path. */
export function logDecision(gitDir: string, facts: Omit<DecisionFacts, 'repo'>, settings: DecisionLogSettings): Result<{ readonly rotated: boolean }> {
  if (!settings.enabled) return ok({ rotated: false });
  return appendDecision(gitDir, decisionLine({ ...facts, repo: path.resolve(gitDir) }), settings);
}
