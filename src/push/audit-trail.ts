/**
 * Reading the audit trail (refs/gatos/audit/policy) from a repository,
 * newest first: each commit's entry.json, checked by parseAuditEntry. The
 * writing side is appendAudit. Adapter: it reads git.
 */
import { err, gateError, ok, type Result } from '../core/result';
import { AUDIT_ENTRY_FILE, AUDIT_POLICY_REF, parseAuditEntry, type AuditEntryView } from '../gate';
import type { GitRepo } from '../git';

export interface AuditRecord {
  /** The audit commit that holds the entry. */
  readonly commit: string;
  readonly entry: AuditEntryView;
}

/**
 * The trail's entries, newest first, at most `limit` of them; undefined when
 * the ref does not exist (no push met a denial yet). A failure of git, or an
 * entry that is missing or malformed, ends the walk with that error: a
 * reader is never shown a trail with a hole in it.
 */
export async function readAuditTrail(repo: GitRepo, limit?: number): Promise<Result<AuditRecord[] | undefined>> {
  const tip = await repo.readRef(AUDIT_POLICY_REF);
  if (!tip.ok) return err(gateError('GIT_ERROR', tip.error.message));
  if (!tip.value) return ok(undefined);
  const out: AuditRecord[] = [];
  for await (const c of repo.walkCommits({ include: [tip.value], order: 'topo' })) {
    if (!c.ok) return err(gateError('GIT_ERROR', c.error.message));
    if (limit !== undefined && out.length >= limit) break;
    const tree = await repo.readTree(c.value.tree);
    const file = tree.ok ? tree.value.find((t) => t.name === AUDIT_ENTRY_FILE) : undefined;
    const blob = file ? await repo.readBlob(file.id) : undefined;
    if (!blob || !blob.ok) return err(gateError('PROOF_INVALID', `audit commit ${c.value.id} has no readable ${AUDIT_ENTRY_FILE}`, { hint: 'the audit ref is written by the gate only; inspect it with git log' }));
    const entry = parseAuditEntry(blob.value, `audit commit ${c.value.id}`);
    if (!entry.ok) return entry;
    out.push({ commit: c.value.id, entry: entry.value });
  }
  return ok(out);
}
