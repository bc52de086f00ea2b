/**
 * Commit walks with `git rev-list`, streamed. The revisions go in on stdin
 * (a push may name thousands of tips), the exclusions that must be pseudo-
 * options (--all, --exclude-hidden) on the command line.
 */
import { err, ok, type Result } from '../core/result';
import { gitError, type GitError } from './errors';
import { isObjectId, type ObjectFormat } from './object-id';
import type { GitProcessOptions } from './run';
import { streamLineBatches } from './stream';

export type WalkOrder =
  /** git's default: newest committer date first. */
  | 'date'
  /** Children before parents. */
  | 'topo'
  /** Parents before children: the order a fold replays history in. */
  | 'reverse-topo';

export interface WalkSpec {
  /** Walk from these (ids or names git resolves). */
  readonly include: readonly string[];
  /** Stop at these and their ancestors. */
  readonly exclude?: readonly string[];
  /**
   * Also stop at everything reachable from the repository's refs, except the
   * ones `receive.hideRefs` hides: what a pre-receive hook uses to find the
   * commits a push brings in.
   */
  readonly excludeExisting?: boolean;
  readonly order?: WalkOrder;
}

const ORDER_ARGS: Readonly<Record<WalkOrder, readonly string[]>> = {
  date: [],
  topo: ['--topo-order'],
  'reverse-topo': ['--topo-order', '--reverse'],
};

/** Names that cannot be misread on rev-list's stdin (as an option, a negation, or two names). */
function isPlainName(name: string): boolean {
  return name !== '' && !/^[-^]/.test(name) && !/[\s\0]/.test(name);
}

/** Commit ids of a walk in batches as git prints them; a failure arrives as the last item. */
export async function* revListBatches(proc: GitProcessOptions, format: ObjectFormat, spec: WalkSpec): AsyncGenerator<Result<string[], GitError>, void, undefined> {
  const args = ['rev-list', ...ORDER_ARGS[spec.order ?? 'date'], '--stdin'];
  if (spec.excludeExisting) args.push('--not', '--exclude-hidden=receive', '--all');
  const names = [...spec.include, ...(spec.exclude ?? [])];
  const bad = names.find((n) => !isPlainName(n));
  if (bad !== undefined) {
    yield err(gitError('failed', args, `refusing revision ${JSON.stringify(bad.slice(0, 80))}: not a plain object name`));
    return;
  }
  if (spec.include.length === 0) return;
  const input = [...spec.include, ...(spec.exclude ?? []).map((n) => `^${n}`)].join('\n') + '\n';
  for await (const batch of streamLineBatches(proc, args, input)) {
    const wrong = batch.ok ? batch.value.find((id) => !isObjectId(format, id)) : undefined;
    if (wrong !== undefined) {
      yield err(gitError('malformed', args, `expected a commit id, got ${JSON.stringify(wrong.slice(0, 80))}`));
      return;
    }
    yield batch;
    if (!batch.ok) return;
  }
}

/** Commit ids of a walk one at a time. */
export async function* revList(proc: GitProcessOptions, format: ObjectFormat, spec: WalkSpec): AsyncGenerator<Result<string, GitError>, void, undefined> {
  for await (const batch of revListBatches(proc, format, spec)) {
    if (!batch.ok) {
      yield batch;
      return;
    }
    for (const id of batch.value) yield ok(id);
  }
}

/** Drains a walk into an array, or the first error. */
export async function collect<T, E = GitError>(items: AsyncIterable<Result<T, E>>): Promise<Result<T[], E>> {
  const out: T[] = [];
  for await (const item of items) {
    if (!item.ok) return item;
    out.push(item.value);
  }
  return ok(out);
}
