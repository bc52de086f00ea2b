/**
 * The active bundle's word on every signer an update brings. An event
 * verifies against the bundle it binds; a checkpoint refolds under the bundle
 * it names; either bundle may be older than the active one, whose trust
 * graph and grants decide whether that signer and those capabilities still
 * count (a key rotated out or a grant revoked since). The adapter hands the
 * verified signers in; the one trust decision (src/trust authorize) is taken
 * here, so it is tested without a repository. Pure.
 */
import type { TrustSet } from '../trust';
import { authorize } from '../trust';
import type { CheckpointFact, EventFact, UpdateFacts } from './facts';

/** The capability a checkpoint's signer (the proof's actor) must hold for its namespace at the proof's time. */
export const CHECKPOINT_CAP = 'state:checkpoint';

function eventAuthority(e: EventFact, trust: TrustSet): EventFact {
  if (!e.ok) return e;
  const v = e.event;
  const a = authorize(trust, { actor: v.actor, key: v.signer, at: v.ts, ns: v.ns, caps: v.caps });
  if (a.ok) return e;
  return { ok: false, code: a.code, reason: `event ${v.commit}: ${a.reason}, by the active bundle's trust`, hint: a.hint, commit: v.commit };
}

function checkpointAuthority(c: CheckpointFact, trust: TrustSet): CheckpointFact {
  if (!c.ok) return c;
  const s = c.signer;
  const a = authorize(trust, { actor: s.actor, key: s.key, at: s.ts, ns: s.ns, caps: [CHECKPOINT_CAP] });
  if (a.ok) return c;
  const hint = a.failed === 'cap' ? `checkpoints are signed by actors holding '${CHECKPOINT_CAP}': ${a.hint}, then recompute the checkpoint` : a.hint;
  return { ok: false, code: a.code, reason: `checkpoint ${s.commit}: its signer: ${a.reason}, by the active bundle's trust`, hint, commit: s.commit };
}

/**
 * `facts` with every verified event and checkpoint whose signer the active
 * trust does not authorize turned into a failure (code POLICY_DENY or
 * CAP_EXPIRED), so that the rest of the decision sees only what may land.
 */
export function authorizeFacts(facts: UpdateFacts, trust: TrustSet): UpdateFacts {
  if (facts.events.length === 0 && facts.checkpoints.length === 0) return facts;
  return { ...facts, events: facts.events.map((e) => eventAuthority(e, trust)), checkpoints: facts.checkpoints.map((c) => checkpointAuthority(c, trust)) };
}
