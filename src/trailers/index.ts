/**
 * Commit trailers, read and written by git's own rules, and the typed GATOS
 * trailer sets built on them. Pure: no disk, process or clock.
 */
export { parseTrailers, type Trailer } from './parse';
export { formatTrailers, type TrailerInput } from './format';
export { sameKey, trailersWithKey, trailerValues } from './lookup';
export type { TrailerOptions } from './options';
