/**
 * The oracle: the real `git interpret-trailers`, run with no system, global
 * or repository configuration, so trailer.* and core.* settings of the
 * machine cannot change its answer.
 */
import { spawnSync } from 'node:child_process';
import { tmpDir } from '../helpers/tmp';

let home: string | undefined;

function env(): NodeJS.ProcessEnv {
  home ??= tmpDir('gatos-trailers-git-');
  const clean: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_')) clean[k] = v;
  return { ...clean, HOME: home, XDG_CONFIG_HOME: home, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CEILING_DIRECTORIES: home, LC_ALL: 'C' };
}

export interface OracleOptions {
  readonly commentChar?: string;
  readonly divider?: boolean;
}

export function gitInterpretTrailers(message: string, args: readonly string[], opts: OracleOptions = {}): string {
  const config = opts.commentChar ? ['-c', `core.commentChar=${opts.commentChar}`] : [];
  const extra = opts.divider === false ? ['--no-divider'] : [];
  const r = spawnSync('git', [...config, 'interpret-trailers', ...extra, ...args], {
    input: Buffer.from(message, 'utf8'),
    cwd: home ?? (env(), home),
    env: env(),
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
