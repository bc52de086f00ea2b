/** The git adapter: the only place that runs `git`. See docs/git.md. */
export { GitRepo, openRepo } from './repo';
export type { GitObject, ObjectType } from './cat-file';
export { gitEnv, withoutQuarantine } from './env';
export { type GitError } from './errors';
export { formatOfId, hexLength, isObjectId, isZeroId, rawLength, zeroId, type ObjectFormat } from './object-id';
export { formatIdentity, parseCommit, parseIdentity, type Commit, type Identity } from './parse-commit';
export { parseTree } from './parse-tree';
export { backoffMs, retryOnConflict } from './retry';
export { collect } from './rev-list';
