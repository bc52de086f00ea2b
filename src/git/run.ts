/**
 * Runs one git command to completion and hands back its output. For the
 * commands that answer once (rev-parse, mktree, update-ref, ...); objects are
 * read through the long-lived reader in cat-file.ts instead.
 */
import { childProcess } from './child-process';
import { err, ok, type Result } from '../core/result';
import { gitError, type GitError } from './errors';

export interface GitProcessOptions {
  /** Working directory of the child; the repository itself comes from GIT_DIR in `env`. */
  readonly cwd: string;
  /** The complete environment of the child (see gitEnv). */
  readonly env: Readonly<Record<string, string>>;
  /** Told of every git process about to start for this repository (src/git/observe.ts). */
  readonly spawned?: (args: readonly string[]) => void;
}

export interface GitOutput {
  readonly status: number;
  readonly stdout: Buffer;
  readonly stderr: string;
}

export interface RunOptions {
  readonly input?: Uint8Array | string;
  /** Exit statuses that are answers rather than failures (merge-base --is-ancestor says 1 for "no"). */
  readonly okStatuses?: readonly number[];
  /** Extra variables for this command only (e.g. the author identity of commit-tree). */
  readonly extraEnv?: Readonly<Record<string, string>>;
}

export function runGit(proc: GitProcessOptions, args: readonly string[], opts: RunOptions = {}): Promise<Result<GitOutput, GitError>> {
  const okStatuses = opts.okStatuses ?? [0];
  return new Promise((resolve) => {
    let child;
    try {
      proc.spawned?.(args);
      child = childProcess().spawn('git', args, {
        cwd: proc.cwd,
        env: opts.extraEnv ? { ...proc.env, ...opts.extraEnv } : proc.env,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
    } catch (e) {
      resolve(err(gitError('spawn', args, `could not start git (${e instanceof Error ? e.message : String(e)})`)));
      return;
    }
    const out: Buffer[] = [];
    const errOut: Buffer[] = [];
    let spawnFailure: Error | undefined;
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => errOut.push(b));
    // git may exit before reading all of its input; its exit status tells why.
    child.stdin.on('error', () => undefined);
    child.on('error', (e) => {
      spawnFailure = e;
    });
    child.on('close', (status, signal) => {
      const stderr = Buffer.concat(errOut).toString('utf8');
      if (spawnFailure) {
        resolve(err(gitError('spawn', args, `could not start git (${spawnFailure.message})`, stderr)));
      } else if (status === null) {
        resolve(err(gitError('failed', args, `killed by ${signal ?? 'a signal'}`, stderr)));
      } else if (!okStatuses.includes(status)) {
        resolve(err(gitError('failed', args, `exit status ${status}`, stderr)));
      } else {
        resolve(ok({ status, stdout: Buffer.concat(out), stderr }));
      }
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** stdout as text without the final newline. */
export function firstLine(o: GitOutput): string {
  const text = o.stdout.toString('utf8');
  const nl = text.indexOf('\n');
  return nl === -1 ? text : text.slice(0, nl);
}
