/** Reading refs: listing, one ref's value, and the fast-forward question. */
import { err, ok, type Result } from '../core/result';
import { gitError, type GitError } from './errors';
import { isObjectId, type ObjectFormat } from './object-id';
import { noRefsUnder, readRefFile, type RefBackendMemo } from './ref-files';
import { runGit, type GitProcessOptions } from './run';

export interface RefEntry {
  readonly ref: string;
  readonly id: string;
  readonly type: string;
  /** The target of a symbolic ref, e.g. refs/remotes/origin/HEAD -> refs/remotes/origin/main. */
  readonly symref?: string;
}

const FORMAT = '%(refname)%00%(objectname)%00%(objecttype)%00%(symref)';

/** Refs under the given patterns (prefixes at slash boundaries, or globs), sorted by name as git sorts them. */
export async function forEachRef(proc: GitProcessOptions, format: ObjectFormat, patterns: readonly string[] = [], memo?: RefBackendMemo): Promise<Result<RefEntry[], GitError>> {
  // Nothing under any of the prefixes, seen from the files themselves: no git process to say so (ref-files.ts).
  const gitDir = proc.env.GIT_DIR;
  if (gitDir && patterns.length > 0 && patterns.every((p) => noRefsUnder(gitDir, format, p, memo) === true)) return ok([]);
  const args = ['for-each-ref', `--format=${FORMAT}`, '--', ...patterns];
  const r = await runGit(proc, args);
  if (!r.ok) return r;
  const out: RefEntry[] = [];
  for (const line of r.value.stdout.toString('utf8').split('\n')) {
    if (line === '') continue;
    const [ref = '', id = '', type = '', symref = '', ...rest] = line.split('\0');
    if (rest.length > 0 || ref === '' || !isObjectId(format, id)) {
      return err(gitError('malformed', args, `unexpected line ${JSON.stringify(line.slice(0, 120))}`));
    }
    out.push(symref ? { ref, id, type, symref } : { ref, id, type });
  }
  return ok(out);
}

/** The id a ref points at, or undefined when it does not exist. */
export async function readRef(proc: GitProcessOptions, format: ObjectFormat, ref: string, memo?: RefBackendMemo): Promise<Result<string | undefined, GitError>> {
  if (!ref.startsWith('refs/') || /[\s\0*?[]/.test(ref)) {
    return err(gitError('failed', ['for-each-ref', ref], 'not a full ref name (refs/...)'));
  }
  const gitDir = proc.env.GIT_DIR;
  const file = gitDir ? readRefFile(gitDir, format, ref, memo) : undefined;
  if (file) return ok(file.id);
  // for-each-ref also matches refs below `ref`; only the exact name counts.
  const r = await forEachRef(proc, format, [ref], memo);
  if (!r.ok) return r;
  return ok(r.value.find((e) => e.ref === ref)?.id);
}

/** Whether `ancestor` is reachable from `descendant` (a fast-forward from one to the other). */
export async function isAncestor(proc: GitProcessOptions, ancestor: string, descendant: string): Promise<Result<boolean, GitError>> {
  const r = await runGit(proc, ['merge-base', '--is-ancestor', ancestor, descendant], { okStatuses: [0, 1] });
  if (!r.ok) return r;
  return ok(r.value.status === 0);
}
