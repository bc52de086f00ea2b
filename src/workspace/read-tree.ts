/** Reading a whole git tree into path -> bytes through the adapter's one cat-file process. Adapter. */
import { err, gateError, ok, type Result } from '../core/result';
import type { GitRepo } from '../git';

export async function readTreeFiles(repo: GitRepo, treeId: string, maxFiles = 100000): Promise<Result<Map<string, Uint8Array>>> {
  const out = new Map<string, Uint8Array>();
  const walk = async (id: string, prefix: string): Promise<Result<true>> => {
    const entries = await repo.readTree(id);
    if (!entries.ok) return err(entries.error);
    for (const e of entries.value) {
      if (e.name === undefined) return err(gateError('PROOF_INVALID', `tree ${id} has an entry whose name is not UTF-8`));
      const p = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.mode === '40000') {
        const r = await walk(e.id, p);
        if (!r.ok) return r;
      } else if (e.mode === '100644') {
        if (out.size >= maxFiles) return err(gateError('GATE_ERROR', `tree ${treeId} holds more than ${maxFiles} files`));
        const b = await repo.readBlob(e.id);
        if (!b.ok) return err(b.error);
        out.set(p, b.value);
      } else {
        return err(gateError('PROOF_INVALID', `${p} in tree ${treeId} has mode ${e.mode}; only plain files (100644) and trees are allowed`, { hint: 'GATOS trees hold no executables, links or submodules' }));
      }
    }
    return ok(true);
  };
  const r = await walk(treeId, '');
  return r.ok ? ok(out) : r;
}
