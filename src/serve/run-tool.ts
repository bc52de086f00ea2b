/**
 * A system tool the daemon runs at its start to set its own scheduling
 * (chrt, perl): found on PATH as git is, given only PATH (no PERL5OPT or
 * PERL5LIB of the daemon's environment, no locale), and never allowed to
 * hold the start past a deadline. Adapter (processes).
 */
import { spawnSync } from 'node:child_process';

/** How long the tools of one start may take in all before the daemon starts without what they would set. */
export const TOOLS_DEADLINE_MS = 10_000;

/**
 * Runs `cmd` with `args`, killed at `deadline` (Date.now() ms): undefined when it exited 0, else why not (its
 * stderr, `no <cmd> command (<pkg>)`, or the time it ran out of).
 */
export function runTool(cmd: string, args: readonly string[], deadline: number, pkg: string): string | undefined {
  const timeout = deadline - Date.now();
  if (timeout <= 0) return `no time left for ${cmd}`;
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'], timeout, env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  if (r.error) return (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? `no ${cmd} command (${pkg})` : r.error.message;
  return r.status === 0 ? undefined : r.stderr.trim() || `${cmd} exited ${String(r.status)}`;
}
