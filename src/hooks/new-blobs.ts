/**
 * The blobs a push brings that the repository does not have yet, with a
 * path and a size each: one `git rev-list --objects` over the new tips
 * (stopping at everything reachable from existing refs that receive.hideRefs
 * does not hide, as for commits), then the sizes from the repository's one
 * long-lived cat-file process, pipelined (no process per object). A blob
 * reached under several paths is listed once, at the first path git gives.
 * Adapter.
 */
import { err, ok, type GateError, type Result } from '../core/result';
import type { BlobFact } from '../gate';
import type { GitRepo } from '../git';
import { gitError } from '../git/errors';
import { isObjectId } from '../git';

/** Info requests kept in flight on the cat-file process at once. */
const PIPELINE = 256;

export async function newBlobs(repo: GitRepo, tips: readonly string[]): Promise<Result<BlobFact[], GateError>> {
  const live = tips.filter((t) => t !== repo.zeroId);
  if (live.length === 0) return ok([]);
  const args = ['rev-list', '--objects', '--stdin', '--not', '--exclude-hidden=receive', '--all'];
  const r = await repo.run(args, { input: `${live.join('\n')}\n` });
  if (!r.ok) return err(r.error);
  const named: { id: string; path: string }[] = [];
  const seen = new Set<string>();
  for (const line of r.value.stdout.toString('utf8').split('\n')) {
    if (line === '') continue;
    const sp = line.indexOf(' ');
    const id = sp < 0 ? line : line.slice(0, sp);
    // A path with a newline in it would split a line: refuse rather than guess.
    if (!isObjectId(repo.format, id)) return err(gitError('malformed', args, `expected an object id, got ${JSON.stringify(line.slice(0, 80))}`));
    // Commits come without a name; the root tree of each commit with an empty one.
    if (sp < 0 || sp === line.length - 1 || seen.has(id)) continue;
    seen.add(id);
    named.push({ id, path: line.slice(sp + 1) });
  }
  const out: BlobFact[] = [];
  for (let i = 0; i < named.length; i += PIPELINE) {
    const chunk = named.slice(i, i + PIPELINE);
    const infos = await Promise.all(chunk.map((o) => repo.objectInfo(o.id)));
    for (let j = 0; j < chunk.length; j++) {
      const info = infos[j];
      const o = chunk[j] as { id: string; path: string };
      if (!info || !info.ok) return err(info ? info.error : gitError('malformed', ['cat-file'], `no answer for ${o.id}`));
      if (info.value.type === 'blob') out.push({ id: o.id, path: o.path, size: info.value.size });
    }
  }
  return ok(out);
}
