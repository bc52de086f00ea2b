/**
 * Writing objects: blobs, trees and commits. Commits take their identity and
 * date from the caller, never from the machine or the clock, so the same
 * inputs give the same id everywhere.
 */
import { err, ok, type GateError, type Result } from '../core/result';
import { gitError, type GitError } from './errors';
import { isObjectId, type ObjectFormat } from './object-id';
import type { Identity } from './parse-commit';
import { typeOfMode } from './parse-tree';
import { firstLine, runGit, type GitOutput, type GitProcessOptions } from './run';

function readId(format: ObjectFormat, args: readonly string[], r: Result<GitOutput, GitError>): Result<string, GitError> {
  if (!r.ok) return r;
  const id = firstLine(r.value);
  return isObjectId(format, id) ? ok(id) : err(gitError('malformed', args, `expected an object id, got ${JSON.stringify(id.slice(0, 80))}`));
}

function invalid(message: string, hint?: string): { ok: false; error: GateError } {
  return err({ code: 'VALUE_INVALID', message, ...(hint ? { hint } : {}) });
}

export async function writeBlob(proc: GitProcessOptions, format: ObjectFormat, data: Uint8Array | string): Promise<Result<string, GitError>> {
  const args = ['hash-object', '-w', '-t', 'blob', '--no-filters', '--stdin'];
  return readId(format, args, await runGit(proc, args, { input: data }));
}

export interface NewTreeEntry {
  /** "100644", "100755", "120000", "40000" or "160000". */
  readonly mode: string;
  readonly id: string;
  readonly name: string;
}

/** Writes a tree; entries may come in any order (git sorts them). Every object named must exist. */
export async function writeTree(proc: GitProcessOptions, format: ObjectFormat, entries: readonly NewTreeEntry[]): Promise<Result<string, GateError>> {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const e of entries) {
    const type = typeOfMode(e.mode);
    if (!type) return invalid(`tree entry ${JSON.stringify(e.name)}: unknown mode ${JSON.stringify(e.mode)}`, 'use 100644, 100755, 120000, 40000 or 160000');
    if (!isObjectId(format, e.id)) return invalid(`tree entry ${JSON.stringify(e.name)}: ${JSON.stringify(e.id)} is not a ${format} object id`);
    if (e.name === '' || e.name === '.' || e.name === '..' || e.name === '.git' || /[/\0\n]/.test(e.name)) {
      return invalid(`tree entry name ${JSON.stringify(e.name)} is not allowed`, 'one path segment: no "/", NUL or newline, not "", ".", ".." or ".git"');
    }
    if (seen.has(e.name)) return invalid(`tree entry name ${JSON.stringify(e.name)} appears twice`);
    seen.add(e.name);
    lines.push(`${e.mode} ${type} ${e.id}\t${e.name}\0`);
  }
  const args = ['mktree', '-z'];
  return readId(format, args, await runGit(proc, args, { input: lines.join('') }));
}

export interface NewCommit {
  readonly tree: string;
  readonly parents: readonly string[];
  /** Stored byte for byte; git adds nothing (end it with "\n" as git commit does). */
  readonly message: string;
  readonly author: Identity;
  /** Defaults to the author. */
  readonly committer?: Identity;
}

/** Characters git would strip or reject in a name or email; refusing them keeps what is stored equal to what was asked. */
function identityProblem(i: Identity): string | undefined {
  for (const [field, value] of [['name', i.name], ['email', i.email]] as const) {
    if (/[<>\n\0]/.test(value)) return `${field} ${JSON.stringify(value)} contains <, >, a newline or NUL`;
    if (/^[\s.,:;"'\\]|[\s.,:;"'\\]$/.test(value)) return `${field} ${JSON.stringify(value)} starts or ends with a character git strips`;
  }
  if (i.name === '') return 'name is empty';
  if (!Number.isSafeInteger(i.seconds) || i.seconds < 0) return `seconds ${i.seconds} is not a non-negative integer`;
  if (!/^[+-]\d{4}$/.test(i.tz)) return `tz ${JSON.stringify(i.tz)} is not of the form +hhmm`;
  return undefined;
}

export async function commitTree(proc: GitProcessOptions, format: ObjectFormat, c: NewCommit): Promise<Result<string, GateError>> {
  const committer = c.committer ?? c.author;
  for (const [role, ident] of [['author', c.author], ['committer', committer]] as const) {
    const problem = identityProblem(ident);
    if (problem) return invalid(`commit ${role}: ${problem}`);
  }
  for (const id of [c.tree, ...c.parents]) {
    if (!isObjectId(format, id)) return invalid(`${JSON.stringify(id)} is not a ${format} object id`);
  }
  const args = ['commit-tree', '--no-gpg-sign', c.tree, ...c.parents.flatMap((p) => ['-p', p])];
  const extraEnv = {
    GIT_AUTHOR_NAME: c.author.name,
    GIT_AUTHOR_EMAIL: c.author.email,
    GIT_AUTHOR_DATE: `@${c.author.seconds} ${c.author.tz}`,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
    GIT_COMMITTER_DATE: `@${committer.seconds} ${committer.tz}`,
  };
  // "@<seconds>": without the "@" git reads a small number as a calendar date.
  return readId(format, args, await runGit(proc, args, { input: c.message, extraEnv }));
}
