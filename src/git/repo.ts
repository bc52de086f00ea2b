/**
 * GitRepo: everything the gate asks of one repository, through the `git`
 * executable. Open it with the environment you were given (a hook's own, so
 * reads see a push's quarantined objects); escapeQuarantine() gives a second
 * view that writes to the real object store for the audit path.
 */
import path from 'node:path';
import { err, ok, type GateError, type Result } from '../core/result';
import { ObjectReader, type GitObject, type ObjectInfo } from './cat-file';
import { gitEnv, inQuarantine, withoutQuarantine, type Env } from './env';
import { gitError, type GitError } from './errors';
import type { LooseCache } from './loose';
import { linearRange, shortLinearRange, type LinearRange } from './linear';
import { parseObjectFormat, zeroId, type ObjectFormat } from './object-id';
import type { Commit } from './parse-commit';
import type { TreeEntry } from './parse-tree';
import type { RepoReads } from './observe';
import { parsedCommit, parsedTree } from './parsed';
import { updateRefs, type RefSwap } from './ref-transaction';
import type { RefBackendMemo } from './ref-files';
import { forEachRef, isAncestor, readRef, type RefEntry } from './refs';
import { retryOnConflict, type RetryOptions } from './retry';
import { collect, revList, revListBatches, type WalkSpec } from './rev-list';
import { firstLine, runGit, type GitOutput, type GitProcessOptions, type RunOptions } from './run';
import { commitTree, writeBlob, writeTree, type NewCommit, type NewTreeEntry } from './write';

export interface OpenOptions {
  /** The environment git runs in; defaults to this process's (a hook's own). */
  readonly env?: Env;
  /** Where relative paths (gitDir, quarantine directories) are resolved; defaults to the current directory. */
  readonly cwd?: string;
  /** Commits read at once while walking; more hides latency, fewer holds less memory. */
  readonly readAhead?: number;
  /**
   * The object format, when the caller already knows it from git itself (a
   * hook's stdin or arguments carry ids of the repository's length): skips
   * the `git rev-parse` that would ask. A wrong format makes every id check
   * and object read fail, never pass.
   */
  readonly format?: ObjectFormat;
  /** Loose objects kept across opens (the warm daemon's pushes, src/git/loose.ts); absent: none kept. */
  readonly looseCache?: LooseCache;
  /** Records the refs read and the processes started through this view (src/git/observe.ts); absent: nothing recorded. */
  readonly reads?: RepoReads;
  /**
   * The largest loose object (header and contents) read in this process; larger ones go to cat-file. Absent: the
   * loose reader's own bound (16 MiB). A decision made ahead reads only what the daemon's LooseCache keeps.
   */
  readonly maxInflated?: number;
}

const DEFAULT_READ_AHEAD = 512;

export class GitRepo {
  readonly zeroId: string;
  private readonly reader: ObjectReader;
  private readonly proc: GitProcessOptions;
  /** The ref backend, asked once for this view (ref-files.ts). */
  private readonly refBackend: RefBackendMemo = {};

  private constructor(
    /** Absolute path of the git directory (a bare repository, or a work tree's .git). */
    readonly gitDir: string,
    readonly format: ObjectFormat,
    private readonly baseEnv: Env,
    private readonly cwd: string,
    private readonly readAhead: number,
    private readonly looseCache: LooseCache | undefined,
    private readonly reads: RepoReads | undefined,
    private readonly maxInflated: number | undefined,
  ) {
    this.proc = { cwd, env: gitEnv(baseEnv, gitDir), ...(reads ? { spawned: (args: readonly string[]) => reads.spawned(args) } : {}) };
    this.reader = new ObjectReader(this.proc, format, looseCache, maxInflated);
    this.zeroId = zeroId(format);
  }

  /** Opens `gitDir` and, unless told, asks git for its object format. */
  static async open(gitDir: string, opts: OpenOptions = {}): Promise<Result<GitRepo, GitError>> {
    const cwd = opts.cwd ?? process.cwd();
    const env = opts.env ?? process.env;
    const abs = path.resolve(cwd, gitDir);
    if (opts.format) return ok(new GitRepo(abs, opts.format, env, cwd, Math.max(1, opts.readAhead ?? DEFAULT_READ_AHEAD), opts.looseCache, opts.reads, opts.maxInflated));
    const args = ['rev-parse', '--show-object-format'];
    const r = await runGit({ cwd, env: gitEnv(env, abs) }, args);
    if (!r.ok) return err({ ...r.error, hint: 'name the git directory itself: a bare repository, or the .git folder of a work tree' });
    const format = parseObjectFormat(firstLine(r.value));
    if (!format) return err(gitError('malformed', args, `unknown object format ${JSON.stringify(firstLine(r.value))}`));
    return ok(new GitRepo(abs, format, env, cwd, Math.max(1, opts.readAhead ?? DEFAULT_READ_AHEAD), opts.looseCache, opts.reads, opts.maxInflated));
  }

  /** Whether this view runs inside a push's quarantine (it then sees the pushed objects, and git refuses its ref updates). */
  get quarantined(): boolean {
    return inQuarantine(this.baseEnv);
  }

  /**
   * The same repository without the quarantine variables: objects it writes
   * land in the real object store and survive a refused push, and git allows
   * its ref updates. It does not see the pushed objects; record their ids as
   * text, never point at them. Close it separately.
   */
  escapeQuarantine(): GitRepo {
    return new GitRepo(this.gitDir, this.format, withoutQuarantine(this.baseEnv), this.cwd, this.readAhead, this.looseCache, this.reads, this.maxInflated);
  }

  /** Runs any other git command in this repository's environment. */
  run(args: readonly string[], opts: RunOptions = {}): Promise<Result<GitOutput, GitError>> {
    return runGit(this.proc, args, opts);
  }

  // Reading objects (one long-lived cat-file process).

  readObject(name: string): Promise<Result<GitObject, GitError>> {
    return this.reader.read(name);
  }

  objectInfo(name: string): Promise<Result<ObjectInfo, GitError>> {
    return this.reader.info(name);
  }

  async readCommit(name: string): Promise<Result<Commit, GitError | GateError>> {
    const o = await this.readTyped(name, 'commit');
    return o.ok ? parsedCommit(o.value, this.format) : o;
  }

  async readTree(name: string): Promise<Result<TreeEntry[], GitError | GateError>> {
    const o = await this.readTyped(name, 'tree');
    return o.ok ? parsedTree(o.value, this.format) : o;
  }

  async readBlob(name: string): Promise<Result<Uint8Array, GitError>> {
    const o = await this.readTyped(name, 'blob');
    return o.ok ? ok(o.value.data) : o;
  }

  // Walking history (rev-list, streamed).

  /** Commit ids of a walk, as git yields them; a failure arrives as the last item. */
  walk(spec: WalkSpec): AsyncGenerator<Result<string, GitError>, void, undefined> {
    return revList(this.proc, this.format, spec);
  }

  /** Commits a push brings in: reachable from `tips` and from no existing ref (hidden refs do not count as existing). */
  newCommits(tips: readonly string[], order: WalkSpec['order'] = 'date'): Promise<Result<string[], GitError>> {
    const live = tips.filter((t) => t !== this.zeroId);
    return collect(this.walk({ include: live, excludeExisting: true, order }));
  }

  /** Commits in old..new; a zero old (a create) means every commit reachable from new. */
  range(oldId: string, newId: string, order: WalkSpec['order'] = 'date'): Promise<Result<string[], GitError>> {
    if (newId === this.zeroId) return Promise.resolve(ok([]));
    return collect(this.walk({ include: [newId], exclude: oldId === this.zeroId ? [] : [oldId], order }));
  }

  /**
   * Walks and reads every commit, with up to readAhead reads in flight on the
   * one cat-file process, yielding parsed commits in walk order.
   */
  async *walkCommits(spec: WalkSpec): AsyncGenerator<Result<Commit, GitError | GateError>, void, undefined> {
    const inFlight: Promise<Result<Commit, GitError | GateError>>[] = [];
    let head = 0;
    const next = async (): Promise<Result<Commit, GitError | GateError>> => {
      const c = await (inFlight[head] as Promise<Result<Commit, GitError | GateError>>);
      inFlight[head++] = undefined as never;
      if (head === inFlight.length) {
        inFlight.length = 0;
        head = 0;
      }
      return c;
    };
    for await (const batch of revListBatches(this.proc, this.format, spec)) {
      if (!batch.ok) {
        yield batch;
        return;
      }
      for (const id of batch.value) {
        inFlight.push(this.readCommit(id));
        while (inFlight.length - head >= this.readAhead) {
          const c = await next();
          yield c;
          if (!c.ok) return;
        }
      }
    }
    while (head < inFlight.length) {
      const c = await next();
      yield c;
      if (!c.ok) return;
    }
  }

  // Refs.

  async forEachRef(patterns: readonly string[] = []): Promise<Result<RefEntry[], GitError>> {
    const r = await forEachRef(this.proc, this.format, patterns, this.refBackend);
    if (this.reads) {
      if (r.ok) this.reads.lists.push({ patterns: [...patterns], answer: JSON.stringify(r.value) });
      else this.reads.doubts++;
    }
    return r;
  }

  async readRef(ref: string): Promise<Result<string | undefined, GitError>> {
    const r = await readRef(this.proc, this.format, ref, this.refBackend);
    if (this.reads) {
      if (r.ok) this.reads.ref(ref, r.value);
      else this.reads.doubts++;
    }
    return r;
  }

  /**
   * Ancestry and old..new on linear history at the cost of the distance, not
   * of the history (see linear.ts); `undefined` when a merge is on the way:
   * then ask isAncestor and range.
   */
  async linearRange(oldId: string, newId: string): Promise<Result<LinearRange | undefined, GitError>> {
    const short = await shortLinearRange((id) => this.readCommit(id), this.format, oldId, newId);
    return short ? ok(short) : linearRange(this.proc, this.format, oldId, newId);
  }

  /** The fast-forward check: is `ancestor` reachable from `descendant`? */
  isAncestor(ancestor: string, descendant: string): Promise<Result<boolean, GitError>> {
    return isAncestor(this.proc, ancestor, descendant);
  }

  // Writing.

  writeBlob(data: Uint8Array | string): Promise<Result<string, GitError>> {
    return writeBlob(this.proc, this.format, data);
  }

  writeTree(entries: readonly NewTreeEntry[]): Promise<Result<string, GateError>> {
    return writeTree(this.proc, this.format, entries);
  }

  commitTree(commit: NewCommit): Promise<Result<string, GateError>> {
    return commitTree(this.proc, this.format, commit);
  }

  /** One compare-and-swap transaction; a lost race is an error of kind 'conflict'. */
  updateRefs(updates: readonly RefSwap[], opts: { message?: string } = {}): Promise<Result<void, GateError>> {
    return updateRefs(this.proc, this.format, updates, opts);
  }

  /**
   * Runs `attempt` until it does not lose a race, with jittered backoff: the
   * attempt re-reads the ref and recomputes what it writes each time.
   */
  retryOnConflict<T>(attempt: (n: number) => Promise<Result<T, GateError>>, opts: RetryOptions = {}): Promise<Result<T, GateError>> {
    return retryOnConflict(attempt, opts);
  }

  /** Ends the cat-file process once it has answered what was asked. */
  close(): Promise<void> {
    return this.reader.close();
  }

  private async readTyped(name: string, type: GitObject['type']): Promise<Result<GitObject, GitError>> {
    const o = await this.reader.read(name);
    if (!o.ok) return o;
    if (o.value.type !== type) return err(gitError('malformed', ['cat-file', type, name], `${name} is a ${o.value.type}, not a ${type}`));
    return o;
  }
}

/** Opens a repository; see GitRepo. */
export function openRepo(gitDir: string, opts: OpenOptions = {}): Promise<Result<GitRepo, GitError>> {
  return GitRepo.open(gitDir, opts);
}
