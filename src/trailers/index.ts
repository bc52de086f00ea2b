/**
 * Commit trailers, read and written by git's own rules, and the typed GATOS
 * trailer sets built on them. Pure: no disk, process or clock.
 */
export { parseTrailers, type Trailer } from './parse';
export { formatTrailers, type TrailerInput } from './format';
export { sameKey, trailersWithKey, trailerValues } from './lookup';
export type { TrailerOptions } from './options';
export type { ReadOptions } from './reader';
export { describeTrailerProblems, type TrailerProblem, type TrailerProblemKind } from './problems';
export {
  parseCommitId,
  parseDigestOf,
  parseEd25519PublicKey,
  parseEd25519Signature,
  parseFoldMath,
  formatFoldMath,
  parseFoldVersion,
  parseSigAlg,
  parseVersionedName,
  formatVersionedName,
  type FoldMath,
  type ObjectFormat,
  type VersionedName,
} from './values';
export { parseEventCid, type EventCid } from '../canon/cid';
export { parseFoldEngine, formatFoldEngine, type FoldEngine } from './fold-engine';
export { parseCheckpointTrailers, checkpointTrailerInputs, CHECKPOINT_KEYS, type CheckpointTrailers } from './checkpoint';
export { parseEventTrailers, eventTrailerInputs, EVENT_KEYS, type EventTrailers } from './event';
