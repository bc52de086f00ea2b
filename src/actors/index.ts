/** Actors and the refs built from them; see docs/formats.md §1. Pure. */
export { ACTOR_KINDS, actorFromPath, actorToPath, checkName, isActorKind, nameProblem, parseActor, type Actor, type ActorKind } from './actor';
export { ACTIVE_POLICY_REF, JOURNAL_PREFIX, POLICIES_PREFIX, STATE_PREFIX, bundleRef, isBundleId, journalRef, parseJournalRef, stateRef, type JournalRef } from './refs';
export { actorIdentity } from './identity';
export { APPROVALS_PREFIX, GOV_REVOCATIONS_PREFIX, GRANTS_PREFIX, QUORUM_GROUP_RE, govRef, isGovRef, parseGovRef, type GovKind, type GovRef } from './gov-refs';
