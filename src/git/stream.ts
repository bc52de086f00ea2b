/**
 * Streams the stdout of one git command line by line, so a walk over a large
 * history starts yielding before git has finished. Lines come in batches (all
 * whole lines of a pipe read): one async step per batch rather than per line.
 * A failure of git arrives as a last error item; stopping early ends the
 * process.
 */
import { childProcess } from './child-process';
import { err, ok, type Result } from '../core/result';
import { ByteQueue } from './byte-queue';
import { gitError, type GitError } from './errors';
import type { GitProcessOptions } from './run';

export async function* streamLineBatches(
  proc: GitProcessOptions,
  args: readonly string[],
  input = '',
): AsyncGenerator<Result<string[], GitError>, void, undefined> {
  let child;
  try {
    proc.spawned?.(args);
    child = childProcess().spawn('git', args, { cwd: proc.cwd, env: proc.env, stdio: ['pipe', 'pipe', 'pipe'] });
  } catch (e) {
    yield err(gitError('spawn', args, `could not start git (${e instanceof Error ? e.message : String(e)})`));
    return;
  }
  let stderr = '';
  let spawnError: Error | undefined;
  child.stderr.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString('utf8')).slice(-4000);
  });
  child.on('error', (e) => {
    spawnError = e;
  });
  const closed = new Promise<{ status: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (status, signal) => resolve({ status, signal })),
  );
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
  const lines = new ByteQueue();
  let finished = false;
  try {
    for await (const chunk of child.stdout) {
      lines.push(chunk as Buffer);
      const batch: string[] = [];
      for (let line = lines.readLine(); line; line = lines.readLine()) batch.push(line.toString('utf8'));
      if (batch.length > 0) yield ok(batch);
    }
    const { status, signal } = await closed;
    finished = true;
    if (spawnError) {
      yield err(gitError('spawn', args, `could not start git (${spawnError.message})`, stderr));
    } else if (status !== 0) {
      yield err(gitError('failed', args, status === null ? `killed by ${signal ?? 'a signal'}` : `exit status ${status}`, stderr));
    } else if (lines.length > 0) {
      yield err(gitError('malformed', args, 'output ended without a final newline', stderr));
    }
  } finally {
    if (!finished) child.kill();
  }
}
