/**
 * The governance refs (docs/governance.md): one ref per statement, named by
 * the proposal's ULID and, for approvals, the approver's actor path (the
 * reversible encoding of ./actor), so each approver has one approval ref
 * per proposal. Pure.
 */
import { isUlid } from '../canon/ulid';
import { err, gateError, ok, type Result } from '../core/result';
import { actorFromPath, actorToPath, parseActor } from './actor';

export const PROPOSALS_PREFIX = 'refs/gatos/proposals/';
export const APPROVALS_PREFIX = 'refs/gatos/approvals/';
export const GRANTS_PREFIX = 'refs/gatos/grants/';
export const GOV_REVOCATIONS_PREFIX = 'refs/gatos/revocations/';

/** A trust-graph group as a quorum names it: '@' and the group name, e.g. '@leads'. */
export const QUORUM_GROUP_RE = /^@[a-z0-9][a-z0-9._-]*$/;

export type GovKind = 'proposal' | 'approval' | 'grant' | 'revocation';

export interface GovRef {
  readonly kind: GovKind;
  /** The proposal's ULID. */
  readonly id: string;
  /** The approver (approvals only). */
  readonly actor?: string;
}

const PREFIXES: readonly (readonly [GovKind, string])[] = [
  ['proposal', PROPOSALS_PREFIX],
  ['approval', APPROVALS_PREFIX],
  ['grant', GRANTS_PREFIX],
  ['revocation', GOV_REVOCATIONS_PREFIX],
];

export function isGovRef(ref: string): boolean {
  return PREFIXES.some(([, p]) => ref.startsWith(p));
}

export function govRef(kind: GovKind, id: string, actor?: string): Result<string> {
  if (!isUlid(id)) return err(gateError('VALUE_INVALID', `${JSON.stringify(id)} is not a proposal id (a ULID)`));
  const prefix = (PREFIXES.find(([k]) => k === kind) as readonly [GovKind, string])[1];
  if (kind !== 'approval') return ok(`${prefix}${id}`);
  const a = parseActor(actor ?? '');
  return a.ok ? ok(`${prefix}${id}/${actorToPath(a.value)}`) : a;
}

export function parseGovRef(ref: string): Result<GovRef> {
  const hit = PREFIXES.find(([, p]) => ref.startsWith(p));
  if (!hit) return err(gateError('VALUE_INVALID', `${ref} is not a governance ref`));
  const [kind, prefix] = hit;
  const rest = ref.slice(prefix.length);
  const slash = rest.indexOf('/');
  const id = slash < 0 ? rest : rest.slice(0, slash);
  const hint = 'governance refs are refs/gatos/{proposals,grants,revocations}/<ULID> and refs/gatos/approvals/<ULID>/<kind>/<name>';
  if (!isUlid(id)) return err(gateError('VALUE_INVALID', `'${id}' is not a proposal id (a ULID)`, { hint }));
  if (kind !== 'approval') return slash < 0 ? ok({ kind, id }) : err(gateError('VALUE_INVALID', `${ref} has more than a proposal id`, { hint }));
  if (slash < 0) return err(gateError('VALUE_INVALID', `${ref} names no approver`, { hint }));
  const actor = actorFromPath(rest.slice(slash + 1));
  return actor.ok ? ok({ kind, id, actor: actor.value.id }) : actor;
}
