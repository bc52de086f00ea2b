/**
 * Commit trailers, read and written by git's own rules, and the typed GATOS
 * trailer sets built on them. Pure: no disk, process or clock.
 */
export { parseTrailers } from './parse';
export { formatTrailers, type TrailerInput } from './format';
export { trailerValues } from './lookup';
export { describeTrailerProblems } from './problems';
export { parseEventCid } from '../canon/cid';
export { parseCheckpointTrailers } from './checkpoint';
export { parseEventTrailers, eventTrailerInputs, EVENT_KEYS, type EventTrailers } from './event';
