/**
 * Ref updates as compare-and-swap: every update names the value it expects
 * (the zero id: "must not exist yet"), and all of them go through one
 * `git update-ref --stdin` transaction (start, update..., prepare, commit),
 * so either every ref moves or none does.
 */
import { err, ok, type GateError, type Result } from '../core/result';
import { gitError } from './errors';
import { isObjectId, type ObjectFormat } from './object-id';
import { runGit, type GitProcessOptions } from './run';

/** One compare-and-swap of a transaction (the gate's RefUpdate, src/gate/ref-update.ts, is a pushed update: old and new id). */
export interface RefSwap {
  readonly ref: string;
  /** The new value; the zero id deletes the ref. */
  readonly newId: string;
  /** The value the ref must have now; the zero id means it must not exist. */
  readonly expectedId: string;
}

/** What git says when a ref is not at the expected value or its lock is held by another writer. */
const CONFLICT_RE = /cannot lock ref|is at [0-9a-f]+ but expected|reference already exists|unable to resolve reference|Unable to create '.*\.lock'/;

export async function updateRefs(
  proc: GitProcessOptions,
  format: ObjectFormat,
  updates: readonly RefSwap[],
  opts: { message?: string } = {},
): Promise<Result<void, GateError>> {
  if (updates.length === 0) return ok(undefined);
  const names = new Set<string>();
  for (const u of updates) {
    if (!u.ref.startsWith('refs/') || /[\s\0]/.test(u.ref)) {
      return err({ code: 'VALUE_INVALID', message: `not a full ref name: ${JSON.stringify(u.ref)}`, hint: 'name refs in full, e.g. refs/gatos/audit/main' });
    }
    if (names.has(u.ref)) return err({ code: 'VALUE_INVALID', message: `ref ${u.ref} is updated twice in one transaction` });
    names.add(u.ref);
    for (const id of [u.newId, u.expectedId]) {
      if (!isObjectId(format, id)) return err({ code: 'VALUE_INVALID', message: `ref ${u.ref}: ${JSON.stringify(id)} is not a ${format} object id` });
    }
  }
  const args = ['update-ref', '--stdin'];
  if (opts.message !== undefined) {
    if (/[\n\0]/.test(opts.message)) return err({ code: 'VALUE_INVALID', message: 'a reflog message must be one line' });
    args.push('-m', opts.message);
  }
  const script = ['start', ...updates.map((u) => `update ${u.ref} ${u.newId} ${u.expectedId}`), 'prepare', 'commit', ''].join('\n');
  const r = await runGit(proc, args, { input: script });
  if (r.ok) return ok(undefined);
  if (CONFLICT_RE.test(r.error.stderr)) return err(gitError('conflict', args, 'ref transaction lost a race', r.error.stderr));
  return r;
}
