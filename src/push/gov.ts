/**
 * Reading governance statements for the gate (src/gate/gov.ts): a
 * governance ref's new statement, from a commit the gate rebuilds byte for
 * byte from the statement (objects, not fields); the proposal an approval
 * or revocation names; the grants on the server or in this push that may
 * carry a policy change, and their revocations. A statement that cannot be
 * read is a failure for its own ref and contributes nothing elsewhere.
 * Adapter.
 */
import { GOV_REVOCATIONS_PREFIX, GRANTS_PREFIX, govRef, type GovKind } from '../actors';
import { buildGovCommit, govFile } from '../events/gov-commit';
import type { GateError, Result } from '../core/result';
import type { Failure, RefUpdate } from '../gate';
import type { RefClass } from '../gate/ref-class';
import type { GovFacts } from '../gate/gov';
import type { GitRepo } from '../git';
import { readCanonicalJson, type JsonObject } from '../trust';

function failure(e: GateError | { code: GateError['code']; message: string; hint?: string }): Failure {
  return { code: e.code, reason: e.message, ...(e.hint ? { hint: e.hint } : {}) };
}

/** The statement of a governance commit, or why it is not one gatos gov writes. */
export async function readGovStatement(repo: GitRepo, id: string, kind: GovKind): Promise<Result<JsonObject>> {
  const bad = (message: string): Result<JsonObject> => ({ ok: false, error: { code: 'PROOF_INVALID', message: `${kind} commit ${id}: ${message}`, hint: 'write governance refs with gatos gov; the commit must be exactly the one it builds' } });
  const c = await repo.readCommit(id);
  if (!c.ok) return { ok: false, error: c.error.code === 'GIT_ERROR' ? { ...c.error, code: 'GATE_ERROR' } : c.error };
  const tree = await repo.readTree(c.value.tree);
  if (!tree.ok) return { ok: false, error: tree.error };
  const entry = tree.value[0];
  if (tree.value.length !== 1 || !entry || entry.name !== govFile(kind) || entry.type !== 'blob') return bad(`its tree must hold ${govFile(kind)} alone`);
  const blob = await repo.readBlob(entry.id);
  if (!blob.ok) return { ok: false, error: blob.error };
  const json = readCanonicalJson(blob.value, govFile(kind));
  if (!json.ok) return json;
  const rebuilt = buildGovCommit(repo.format, kind, json.value);
  if (!rebuilt.ok) return rebuilt;
  return rebuilt.value.commit === id ? json : bad(`it is not the commit gatos gov builds for its statement (${rebuilt.value.commit})`);
}

/** Tips of the refs under `patterns` as this push leaves them (one for-each-ref, the push's own updates over it). */
async function tipsOf(repo: GitRepo, patterns: readonly string[], pushed: ReadonlyMap<string, string>): Promise<Map<string, string>> {
  const listed = await repo.forEachRef(patterns);
  const tips = new Map(listed.ok ? listed.value.map((e) => [e.ref, e.id] as const) : []);
  for (const [ref, id] of pushed) if (patterns.some((p) => ref === p || ref.startsWith(p))) tips.set(ref, id);
  return tips;
}

async function statementAt(repo: GitRepo, tip: string | undefined, kind: GovKind): Promise<JsonObject | undefined> {
  if (tip === undefined || tip === repo.zeroId) return undefined;
  const s = await readGovStatement(repo, tip, kind);
  return s.ok ? s.value : undefined;
}

function refOf(kind: GovKind, id: string): string {
  const r = govRef(kind, id);
  return r.ok ? r.value : '';
}

/** The governance facts of one update: only governance refs and policy changes have any. */
export async function govFactsOf(repo: GitRepo, u: RefUpdate, cls: RefClass, pushed: ReadonlyMap<string, string>): Promise<{ governance?: GovFacts }> {
  if (u.newId === repo.zeroId) return {};
  if (cls.plane === 'governance') {
    const { kind, id } = cls.gov;
    const read = await readGovStatement(repo, u.newId, kind);
    const statement = read.ok ? ({ ok: true, value: read.value } as const) : ({ ok: false, ...failure(read.error) } as const);
    const related = kind === 'proposal' ? [] : [refOf('proposal', id), refOf('grant', id), refOf('revocation', id)];
    const tips = related.length > 0 ? await tipsOf(repo, related, pushed) : new Map<string, string>();
    const proposal = kind === 'approval' || kind === 'revocation' ? await statementAt(repo, tips.get(refOf('proposal', id)), 'proposal') : undefined;
    const grant = kind === 'revocation' ? await statementAt(repo, tips.get(refOf('grant', id)), 'grant') : undefined;
    const revocation = kind === 'grant' ? await statementAt(repo, tips.get(refOf('revocation', id)), 'revocation') : undefined;
    return { governance: { statement, ...(proposal ? { proposal } : {}), grants: grant ? [grant] : [], revocations: revocation ? [revocation] : [] } };
  }
  if (cls.plane !== 'policy') return {};
  const tips = await tipsOf(repo, [GRANTS_PREFIX, GOV_REVOCATIONS_PREFIX], pushed);
  const grants: JsonObject[] = [];
  const revocations: JsonObject[] = [];
  for (const ref of [...tips.keys()].filter((r) => r.startsWith(GRANTS_PREFIX)).sort()) {
    const g = await statementAt(repo, tips.get(ref), 'grant');
    if (!g) continue;
    grants.push(g);
    const r = await statementAt(repo, tips.get(`${GOV_REVOCATIONS_PREFIX}${ref.slice(GRANTS_PREFIX.length)}`), 'revocation');
    if (r) revocations.push(r);
  }
  return { governance: { grants, revocations } };
}
