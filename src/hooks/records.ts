/**
 * Verdict records: pre-receive notes each update it allowed, keyed by
 * (ref, old, new, active policy commit), under $GIT_DIR/gatos/verdicts/,
 * which clients cannot write (only the host account can). The update hook
 * then skips the work it would repeat, but only for that exact key, and
 * consumes the record. Adapter (filesystem).
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { recordKey, recordText, type RefUpdate } from '../gate';

const DIR = ['gatos', 'verdicts'];
/** Records older than this are left over from pushes git refused after pre-receive; they are pruned. */
const STALE_MS = 10 * 60 * 1000;

const dirOf = (gitDir: string) => path.join(gitDir, ...DIR);

export function writeRecords(gitDir: string, updates: readonly RefUpdate[], policyRoot: string, nowMs: number): void {
  const dir = dirOf(gitDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  prune(dir, nowMs);
  for (const u of updates) writeFileSync(path.join(dir, recordKey(u, policyRoot)), recordText(u, policyRoot), { mode: 0o600 });
}

/** Whether pre-receive allowed exactly this update under exactly this policy; the record is consumed. */
export function takeRecord(gitDir: string, u: RefUpdate, policyRoot: string): boolean {
  const file = path.join(dirOf(gitDir), recordKey(u, policyRoot));
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  rmSync(file, { force: true });
  return text === recordText(u, policyRoot);
}

function prune(dir: string, nowMs: number): void {
  for (const name of readdirSync(dir)) {
    const f = path.join(dir, name);
    try {
      if (nowMs - statSync(f).mtimeMs > STALE_MS) rmSync(f, { force: true });
    } catch {
      // Another push pruned it first.
    }
  }
}
