/**
 * Appending an audit entry to refs/gatos/audit/policy so that it survives
 * the refused push: written through escapeQuarantine() (the real object
 * store, where ref updates are allowed), self-contained (a blob, a tree and
 * a commit whose only parent is the previous entry), and moved by
 * compare-and-swap, re-reading the tip on every retry so concurrent refused
 * pushes each land once. Adapter.
 */
import { canonicalJson, type JsonValue } from '../canon/jcs';
import { err, ok, type Result } from '../core/result';
import { AUDIT_ENTRY_FILE, AUDIT_IDENTITY, AUDIT_POLICY_REF } from '../gate';
import type { GitRepo } from '../git';

/** Concurrent pushes contend for one ref: more tries than the adapter's default, same backoff shape. */
export const AUDIT_RETRY = { tries: 16, baseMs: 20, capMs: 400 } as const;

export async function appendAudit(repo: GitRepo, entry: JsonValue, message: string, now: number): Promise<Result<string>> {
  const writer = repo.quarantined ? repo.escapeQuarantine() : repo;
  try {
    const bytes = canonicalJson(entry);
    if (!bytes.ok) return bytes;
    const blob = await writer.writeBlob(bytes.value);
    if (!blob.ok) return err(blob.error);
    const tree = await writer.writeTree([{ mode: '100644', id: blob.value, name: AUDIT_ENTRY_FILE }]);
    if (!tree.ok) return tree;
    const ident = { ...AUDIT_IDENTITY, seconds: now, tz: '+0000' };
    return await writer.retryOnConflict(async () => {
      const tip = await writer.readRef(AUDIT_POLICY_REF);
      if (!tip.ok) return err(tip.error);
      const commit = await writer.commitTree({ tree: tree.value, parents: tip.value ? [tip.value] : [], message, author: ident });
      if (!commit.ok) return commit;
      const u = await writer.updateRefs([{ ref: AUDIT_POLICY_REF, newId: commit.value, expectedId: tip.value ?? writer.zeroId }], { message: 'gatos audit' });
      return u.ok ? ok(commit.value) : u;
    }, AUDIT_RETRY);
  } finally {
    if (writer !== repo) await writer.close();
  }
}
