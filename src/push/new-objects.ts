/**
 * Every object a push brings that the repository does not have yet, with
 * its type and size: one `git rev-list --objects` over the new tips
 * (stopping at everything reachable from existing refs that receive.hideRefs
 * does not hide, as for commits), then type and size from the repository's
 * one long-lived cat-file process, pipelined (no process per object).
 * Commits, tags, root trees, and blobs or trees that are a ref tip or sit
 * behind a tag have no path and are counted all the same: a limit that
 * skipped them would let a big blob in as a tip, behind a tag, or as a
 * commit header. An object reached under several paths is listed once, at
 * the first path git gives. Adapter.
 */
import { err, ok, type GateError, type Result } from '../core/result';
import type { ObjectFact } from '../gate';
import type { GitRepo } from '../git';
import { gitError } from '../git/errors';
import { isObjectId } from '../git';

/** Info requests kept in flight on the cat-file process at once. */
const PIPELINE = 256;

export async function newObjects(repo: GitRepo, tips: readonly string[]): Promise<Result<ObjectFact[], GateError>> {
  const live = tips.filter((t) => t !== repo.zeroId);
  if (live.length === 0) return ok([]);
  const args = ['rev-list', '--objects', '--stdin', '--not', '--exclude-hidden=receive', '--all'];
  const r = await repo.run(args, { input: `${live.join('\n')}\n` });
  if (!r.ok) return err(r.error);
  const listed: { id: string; path?: string }[] = [];
  const seen = new Set<string>();
  for (const line of r.value.stdout.toString('utf8').split('\n')) {
    if (line === '') continue;
    const sp = line.indexOf(' ');
    const id = sp < 0 ? line : line.slice(0, sp);
    // A path with a newline in it would split a line: refuse rather than guess.
    if (!isObjectId(repo.format, id)) return err(gitError('malformed', args, `expected an object id, got ${JSON.stringify(line.slice(0, 80))}`));
    if (seen.has(id)) continue;
    seen.add(id);
    // Commits come without a name, root trees and tips with an empty one, tags with their tag name.
    const name = sp < 0 ? '' : line.slice(sp + 1);
    listed.push(name === '' ? { id } : { id, path: name });
  }
  const out: ObjectFact[] = [];
  for (let i = 0; i < listed.length; i += PIPELINE) {
    const chunk = listed.slice(i, i + PIPELINE);
    const infos = await Promise.all(chunk.map((o) => repo.objectInfo(o.id)));
    for (let j = 0; j < chunk.length; j++) {
      const info = infos[j];
      const o = chunk[j] as { id: string; path?: string };
      if (!info || !info.ok) return err(info ? info.error : gitError('malformed', ['cat-file'], `no answer for ${o.id}`));
      const { type, size } = info.value;
      // A tag's "path" is its tag name, not a place in a tree: leave it out.
      out.push(o.path !== undefined && (type === 'blob' || type === 'tree') ? { id: o.id, type, size, path: o.path } : { id: o.id, type, size });
    }
  }
  return ok(out);
}
