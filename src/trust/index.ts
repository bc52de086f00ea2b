/** Trust: the graph of actors and keys, grants, revocations; see docs/formats.md §4. Pure. */
export { addActor, checkGraph, emptyGraphJson } from './graph';
export { CAP_RE, makeGrant, makeRevocation } from './grants';
export { authorize } from './authorize';
export { readTrustSet, type TrustSet } from './trust-set';
export { type JsonObject, type SigningKey } from './statement';
export { formatTime, parseTime } from './time';
export { readCanonicalJson } from './shape';
export { graphIsEmpty, issueGrant, issueRevocation, trustActor, type TrustFileChange, type TrustFiles } from './changes';
export * as governance from './governance';
