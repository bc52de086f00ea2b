/**
 * The oracle: the real `git interpret-trailers`, run with no system, global
 * or repository configuration, so trailer.* and core.* settings of the
 * machine cannot change its answer.
 */
import { spawnSync } from 'node:child_process';
import { tmpDir } from '../helpers/tmp';

let home: string | undefined;

/** Runs git in `cwd` with the clean environment; throws with git's stderr on failure. */
export function git(cwd: string, args: readonly string[], input?: string): string {
  const r = spawnSync('git', args, { cwd, env: gitEnv(), input, encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`git ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** An environment for git with no configuration but ours and a fixed identity and clock. */
export function gitEnv(): NodeJS.ProcessEnv {
  home ??= tmpDir('gatos-trailers-git-');
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) clean[k] = v;
  return { ...clean, HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CEILING_DIRECTORIES: home, LC_ALL: 'C',
    GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com',
    GIT_AUTHOR_DATE: '2024-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2024-01-01T00:00:00Z' };
}

export interface OracleOptions {
  readonly commentChar?: string;
  readonly divider?: boolean;
}

export function gitInterpretTrailers(message: string, args: readonly string[], opts: OracleOptions = {}): string {
  const config = opts.commentChar ? ['-c', `core.commentChar=${opts.commentChar}`] : [];
  const extra = opts.divider === false ? ['--no-divider'] : [];
  const env = gitEnv();
  const r = spawnSync('git', [...config, 'interpret-trailers', ...extra, ...args], {
    input: Buffer.from(message, 'utf8'),
    env,
    cwd: env.HOME,
    timeout: 10_000,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`git interpret-trailers failed (${r.status}): ${String(r.stderr)}`);
  return r.stdout.toString('utf8');
}

/** `git interpret-trailers --parse`: one `Key: value` line per trailer. */
export function gitParse(message: string, opts?: OracleOptions): string {
  return gitInterpretTrailers(message, ['--parse'], opts);
}

/** `git interpret-trailers --trailer 'K: v' ...` with git's defaults. */
export function gitAdd(message: string, trailers: readonly { key: string; value: string }[], opts?: OracleOptions): string {
  return gitInterpretTrailers(message, trailers.flatMap((t) => ['--trailer', `${t.key}: ${t.value}`]), opts);
}
