/**
 * The environment git runs in. The caller hands it over explicitly (a hook
 * passes its own, so reads see a push's quarantined objects); we pin what
 * would make output depend on the machine or let git wander off.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** Set by receive-pack while a push's objects sit in quarantine. */
export const QUARANTINE_VARS = ['GIT_QUARANTINE_PATH', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES'] as const;

/**
 * Variables that would point git at another repository or work tree than the
 * one we name, or change the shape of its answers.
 */
const LOCATION_VARS = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_NAMESPACE'];

/**
 * The environment for a git child process working on `gitDir` (absolute).
 * LC_ALL=C: messages we match and sort orders must not follow the locale.
 * GIT_NO_REPLACE_OBJECTS: a pushed refs/replace/* must not change what an id
 * reads as.
 */
export function gitEnv(base: Env, gitDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (v !== undefined) out[k] = v;
  for (const k of LOCATION_VARS) delete out[k];
  for (const k of Object.keys(out)) if (k.startsWith('LC_') || k === 'LANG' || k === 'LANGUAGE') delete out[k];
  out.GIT_DIR = gitDir;
  out.LC_ALL = 'C';
  out.GIT_TERMINAL_PROMPT = '0';
  out.GIT_NO_REPLACE_OBJECTS = '1';
  return out;
}

/** `env` with the quarantine variables removed: git then reads and writes the real object store. */
export function withoutQuarantine(env: Env): Env {
  const out: Record<string, string | undefined> = { ...env };
  for (const k of QUARANTINE_VARS) delete out[k];
  return out;
}

export function inQuarantine(env: Env): boolean {
  return env.GIT_QUARANTINE_PATH !== undefined && env.GIT_QUARANTINE_PATH !== '';
}
