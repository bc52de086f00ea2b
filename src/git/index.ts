/** The git adapter: the only place that runs `git`. See docs/git.md. */
export { GitRepo, openRepo, type OpenOptions } from './repo';
export type { GitObject, ObjectInfo, ObjectType } from './cat-file';
export { QUARANTINE_VARS, gitEnv, inQuarantine, withoutQuarantine, type Env } from './env';
export { isConflict, isGitError, type GitError, type GitErrorKind } from './errors';
export { OBJECT_FORMATS, hexLength, isObjectId, isZeroId, parseObjectFormat, rawLength, zeroId, type ObjectFormat } from './object-id';
export { formatIdentity, parseCommit, parseIdentity, type Commit, type CommitHeader, type Identity } from './parse-commit';
export { parseTree, typeOfMode, type TreeEntry, type TreeEntryType } from './parse-tree';
export type { RefSwap } from './ref-transaction';
export type { RefEntry } from './refs';
export { RETRY_DEFAULTS, backoffMs, retryOnConflict, type RetryOptions } from './retry';
export { collect, type WalkOrder, type WalkSpec } from './rev-list';
export type { LinearRange } from './linear';
export type { GitOutput, RunOptions } from './run';
export type { NewCommit, NewTreeEntry } from './write';
