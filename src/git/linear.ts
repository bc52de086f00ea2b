/**
 * Ancestry and ranges on linear history (journals, state refs) at the cost
 * of the distance walked. git's own `old..new` and `merge-base
 * --is-ancestor` stop walking by commit date; when many commits share one
 * date (events written in the same second) they walk the whole history: 0.5 s
 * on a 100,000-commit journal for a 1,000-commit window. Here one `rev-list
 * --parents <new>` is streamed (no negative revision, so git yields as it
 * walks) and stopped once `old` appears. Any merge on the way, and the answer
 * is left to git's general walk (`undefined`), so the result is always exact.
 */
import { err, ok, type Result } from '../core/result';
import type { Commit } from './parse-commit';
import { gitError, type GitError } from './errors';
import { isObjectId, type ObjectFormat } from './object-id';
import type { GitProcessOptions } from './run';
import { streamLineBatches } from './stream';

export type LinearRange =
  /** `old` is an ancestor of `new`; `ids` is old..new, oldest first. */
  | { readonly ancestor: true; readonly ids: string[] }
  /** The first-parent chain of `new` ends at a root without meeting `old`, and has no merge: `old` is no ancestor. */
  | { readonly ancestor: false };

export async function linearRange(proc: GitProcessOptions, format: ObjectFormat, oldId: string, newId: string): Promise<Result<LinearRange | undefined, GitError>> {
  if (!isObjectId(format, oldId) || !isObjectId(format, newId)) return ok(undefined);
  if (oldId === newId) return ok({ ancestor: true, ids: [] });
  const args = ['rev-list', '--parents', '--stdin'];
  const chain: string[] = [];
  let expected = newId;
  for await (const batch of streamLineBatches(proc, args, `${newId}\n`)) {
    if (!batch.ok) return batch;
    for (const line of batch.value) {
      const [id = '', ...parents] = line.split(' ');
      if (id !== expected || parents.some((p) => !isObjectId(format, p))) return err(gitError('malformed', args, `unexpected line ${JSON.stringify(line.slice(0, 200))}`));
      if (parents.length > 1) return ok(undefined);
      chain.push(id);
      const parent = parents[0];
      if (parent === undefined) return ok({ ancestor: false });
      if (parent === oldId) return ok({ ancestor: true, ids: chain.reverse() });
      expected = parent;
    }
  }
  // git ended the walk before the chain did: not what a linear history gives.
  return ok(undefined);
}

/** The commits walked in this process before the question goes to git's rev-list (a push's range is usually a few). */
export const SHORT_WALK = 64;

/**
 * The same answer for a short distance, from the commits themselves (read
 * through `readCommit`, which reads loose objects without starting git): a
 * push of one commit onto its parent then starts no rev-list. `undefined`
 * when the walk is longer than `limit`, meets a merge, or a commit cannot
 * be read: then linearRange asks git.
 */
export async function shortLinearRange(readCommit: (id: string) => Promise<Result<Commit, unknown>>, format: ObjectFormat, oldId: string, newId: string, limit: number = SHORT_WALK): Promise<LinearRange | undefined> {
  if (!isObjectId(format, oldId) || !isObjectId(format, newId)) return undefined;
  if (oldId === newId) return { ancestor: true, ids: [] };
  const chain: string[] = [];
  let id = newId;
  for (let step = 0; step < limit; step++) {
    const c = await readCommit(id);
    if (!c.ok || c.value.id !== id || c.value.parents.length > 1) return undefined;
    chain.push(id);
    const parent = c.value.parents[0];
    if (parent === undefined) return { ancestor: false };
    if (parent === oldId) return { ancestor: true, ids: chain.reverse() };
    id = parent;
  }
  return undefined;
}
