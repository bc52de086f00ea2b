/**
 * Session refs and session merges (docs/sessions.md, decision 0033): an actor
 * writes only its own refs/gatos/sessions/<kind>/<name>/<ulid>, and every
 * session commit and session merge the adapter checked (src/push/session.ts)
 * must have passed; each failure keeps its own code (SESSION_NOT_JOIN,
 * SESSION_CONFLICT, PROOF_INVALID, TRAILER_INVALID). Pure.
 */
import type { Denial } from './decide';
import type { CheckFact } from './facts';
import type { Pusher } from './pusher';
import type { RefClass } from './ref-class';
import { RULES } from './rules';

export function sessionDenials(ref: string, cls: RefClass, kind: string, facts: readonly CheckFact[] | undefined, pusher: Pusher): Omit<Denial, 'enforced'>[] {
  const out: Omit<Denial, 'enforced'>[] = [];
  if (cls.plane === 'session' && kind !== 'delete') {
    const who = pusher.actor?.id;
    if (who !== cls.session.actor.id) {
      const reason = who === undefined ? `${ref} is ${cls.session.actor.id}'s session, and the host named no pusher` : `${ref} is ${cls.session.actor.id}'s session; ${who} may write only its own`;
      out.push({ ref, code: 'POLICY_DENY', ruleId: RULES.sessionOwner.id, reason, hint: RULES.sessionOwner.hint });
    }
  }
  for (const f of facts ?? []) {
    if (f.ok) continue;
    out.push({ ref, code: f.code, ruleId: f.ruleId ?? RULES.session.id, reason: f.reason, hint: f.hint ?? RULES.session.hint, ...(f.commit ? { commit: f.commit } : {}) });
  }
  return out;
}
