/** Reading a whole git tree into path -> bytes through the adapter's one cat-file process. Adapter. */
import { appendAll } from '../core/arrays';
import { err, gateError, ok, type Result } from '../core/result';
import type { GitRepo } from '../git';

type Files = [string, Uint8Array][];

/**
 * Every file of the tree, in git's order (depth first, entries sorted). All
 * entries of a tree are asked for at once: one round trip to cat-file per
 * level instead of one per file, which was most of loading a bundle.
 */
export async function readTreeFiles(repo: Pick<GitRepo, 'readTree' | 'readBlob'>, treeId: string, maxFiles = 100000): Promise<Result<Map<string, Uint8Array>>> {
  let count = 0;
  const walk = async (id: string, prefix: string): Promise<Result<Files>> => {
    const entries = await repo.readTree(id);
    if (!entries.ok) return err(entries.error);
    for (const e of entries.value) {
      if (e.name === undefined) return err(gateError('PROOF_INVALID', `tree ${id} has an entry whose name is not UTF-8`));
      if (e.mode !== '40000' && e.mode !== '100644') {
        return err(gateError('PROOF_INVALID', `${prefix ? `${prefix}/${e.name}` : e.name} in tree ${treeId} has mode ${e.mode}; only plain files (100644) and trees are allowed`, { hint: 'GATOS trees hold no executables, links or submodules' }));
      }
      if (e.mode === '100644' && ++count > maxFiles) return err(gateError('GATE_ERROR', `tree ${treeId} holds more than ${maxFiles} files`));
    }
    const parts = await Promise.all(
      entries.value.map(async (e): Promise<Result<Files>> => {
        const p = prefix ? `${prefix}/${e.name as string}` : (e.name as string);
        if (e.mode === '40000') return walk(e.id, p);
        const b = await repo.readBlob(e.id);
        return b.ok ? ok([[p, b.value]]) : err(b.error);
      }),
    );
    const out: Files = [];
    for (const r of parts) {
      if (!r.ok) return r;
      appendAll(out, r.value);
    }
    return ok(out);
  };
  const r = await walk(treeId, '');
  if (!r.ok) return r;
  const files = new Map(r.value);
  // parseTree refuses a name twice in one tree; a Map must never quietly keep one of two files anyway.
  if (files.size !== r.value.length) return err(gateError('ENCODING_INVALID', `tree ${treeId} names one path twice`, { hint: 'write trees with git itself; a forged tree is never accepted' }));
  return ok(files);
}
