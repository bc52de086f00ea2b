/**
 * Every failure of git is a GitError: code GIT_ERROR, the command that ran and
 * what git said on stderr, plus a kind a caller can switch on (a compare-and-
 * swap that lost a race is retried; a missing object is not).
 */
import type { GateError } from '../core/result';

export type GitErrorKind =
  /** git could not be started at all (not on PATH, bad working directory). */
  | 'spawn'
  /** git ran and exited with a status that means failure. */
  | 'failed'
  /** The object or ref asked for does not exist (or is ambiguous). */
  | 'missing'
  /** git answered something we could not read (a truncated or malformed object or line). */
  | 'malformed'
  /** A ref transaction lost: a ref was not at the expected value, or its lock was held. */
  | 'conflict';

export interface GitError extends GateError {
  readonly code: 'GIT_ERROR';
  readonly kind: GitErrorKind;
  /** The command as a shell user would type it, e.g. `git update-ref --stdin`. */
  readonly command: string;
  readonly stderr: string;
}

const MAX_STDERR = 4000;

export function formatCommand(args: readonly string[]): string {
  return ['git', ...args].map((a) => (/^[\w@%+=:,./^{}-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export function gitError(kind: GitErrorKind, args: readonly string[], detail: string, stderr = ''): GitError {
  const command = formatCommand(args);
  const said = stderr.trim().slice(-MAX_STDERR);
  return {
    code: 'GIT_ERROR',
    kind,
    command,
    stderr: said,
    message: `${command}: ${detail}${said ? `: ${said}` : ''}`,
    ...(kind === 'conflict' ? { hint: 'another writer moved or locked the ref; recompute and retry' } : {}),
  };
}

export function isGitError(e: GateError): e is GitError {
  return e.code === 'GIT_ERROR' && 'kind' in e;
}

/** True for the failures a compare-and-swap writer should recompute and retry. */
export function isConflict(e: GateError): boolean {
  return isGitError(e) && e.kind === 'conflict';
}
