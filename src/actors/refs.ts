/**
 * The refs GATOS clients write, built from and parsed into their parts.
 * Every part is checked by the name rules of ./actor, so a ref built here
 * is always a valid git ref and parsing is the exact inverse of building.
 */
import { err, gateError, ok, type Result } from '../core/result';
import { actorFromPath, actorToPath, checkName, type Actor } from './actor';

export const JOURNAL_PREFIX = 'refs/gatos/journal/';
export const STATE_PREFIX = 'refs/gatos/state/';
export const POLICIES_PREFIX = 'refs/gatos/policies/';
export const ACTIVE_POLICY_REF = 'refs/gatos/policies/active';

export interface JournalRef {
  readonly ns: string;
  readonly actor: Actor;
  readonly ref: string;
}

export function journalRef(ns: string, actor: Actor): Result<string> {
  const n = checkName(ns, 'namespace');
  if (!n.ok) return n;
  return ok(`${JOURNAL_PREFIX}${ns}/${actorToPath(actor)}`);
}

export function parseJournalRef(ref: string): Result<JournalRef> {
  if (!ref.startsWith(JOURNAL_PREFIX)) {
    return err(gateError('VALUE_INVALID', `${ref} is not a journal ref`, { hint: 'journals are refs/gatos/journal/<ns>/<kind>/<name>' }));
  }
  const rest = ref.slice(JOURNAL_PREFIX.length);
  const slash = rest.indexOf('/');
  if (slash < 0) return err(gateError('VALUE_INVALID', `${ref} names no actor`, { hint: 'journals are refs/gatos/journal/<ns>/<kind>/<name>' }));
  const ns = checkName(rest.slice(0, slash), 'namespace');
  if (!ns.ok) return ns;
  const actor = actorFromPath(rest.slice(slash + 1));
  if (!actor.ok) return actor;
  return ok({ ns: ns.value, actor: actor.value, ref });
}

export function stateRef(ns: string): Result<string> {
  const n = checkName(ns, 'namespace');
  return n.ok ? ok(`${STATE_PREFIX}${ns}`) : n;
}

const BUNDLE_ID_RE = /^[0-9a-f]{64}$/;

export function isBundleId(text: string): boolean {
  return BUNDLE_ID_RE.test(text);
}

export function bundleRef(bundleId: string): Result<string> {
  if (!isBundleId(bundleId)) return err(gateError('VALUE_INVALID', `${JSON.stringify(bundleId)} is not a bundle id`, { hint: 'a bundle id is 64 lowercase hex digits' }));
  return ok(`${POLICIES_PREFIX}${bundleId}`);
}
