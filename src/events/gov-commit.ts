/**
 * The commit that carries one governance statement (docs/governance.md): a
 * tree holding only `<kind>.json` (the statement's canonical JSON), no
 * parent, the statement's actor as author and committer at its `ts`, and
 * the subject `<type> <proposal id>`. Every byte follows from the
 * statement, so the gate rebuilds the commit and compares ids instead of
 * reading fields (objects, not fields). Pure.
 */
import { canonicalJson } from '../canon/jcs';
import { err, gateError, ok, type Result } from '../core/result';
import { actorIdentity, type GovKind } from '../actors';
import type { ObjectFormat } from '../git';
import { parseTime, type JsonObject } from '../trust';
import { commitData, makeObject, treeData, type GitObjectBytes } from '../workspace/git-objects';

export function govFile(kind: GovKind): string {
  return `${kind}.json`;
}

export interface GovObjects {
  readonly commit: string;
  readonly objects: readonly GitObjectBytes[];
}

/** The proposal id a statement belongs to: its own `id`, its proposal's, or `proposal_id`. */
function proposalIdOf(s: JsonObject): string {
  const p = s.proposal;
  if (typeof s.id === 'string') return s.id;
  if (typeof s.proposal_id === 'string') return s.proposal_id;
  if (p !== null && typeof p === 'object' && !Array.isArray(p) && typeof (p as JsonObject).id === 'string') return (p as JsonObject).id as string;
  return '';
}

export function buildGovCommit(format: ObjectFormat, kind: GovKind, statement: JsonObject): Result<GovObjects> {
  const bytes = canonicalJson(statement);
  if (!bytes.ok) return bytes;
  const ts = typeof statement.ts === 'string' ? parseTime(statement.ts, `${kind} ts`) : err(gateError('ENCODING_INVALID', `the ${kind} has no 'ts'`));
  if (!ts.ok) return ts;
  const blob = makeObject(format, 'blob', bytes.value);
  const tree = makeObject(format, 'tree', treeData([{ name: govFile(kind), mode: '100644', id: blob.id }]));
  const who = actorIdentity(typeof statement.actor === 'string' ? statement.actor : '', ts.value);
  const message = `${String(statement.type)} ${proposalIdOf(statement)}\n`;
  const commit = makeObject(format, 'commit', commitData({ tree: tree.id, parents: [], author: who, committer: who, message }));
  return ok({ commit: commit.id, objects: [blob, tree, commit] });
}
