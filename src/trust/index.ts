/** Trust: the graph of actors and keys, grants, revocations; see docs/formats.md §4. Pure. */
export { ACTOR_TYPE, GRAPH_TYPE, MAX_LEVEL, addActor, checkGraph, emptyGraphJson, keyValidAt, readGraph, type ActorRecord, type AddActor, type KeyEntry, type TrustGraph } from './graph';
export { CAP_RE, Capabilities, GRANT_TYPE, REVOCATION_TYPE, makeGrant, makeRevocation, readGrant, readRevocation, type CapVerdict, type Grant, type NewGrant, type Revocation } from './grants';
export { authorize, signerAuthority, type Authority, type Claim, type Refusal } from './authorize';
export { readTrustSet, type TrustSet } from './trust-set';
export { checkSignature, signStatement, signedBytes, statementId, type JsonObject, type SigningKey } from './statement';
export { formatTime, parseTime } from './time';
export { readCanonicalJson } from './shape';
