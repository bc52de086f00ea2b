/**
 * The `gatos` program's entry file (dist/gatos.cjs): compiles the CLI's
 * bundle (dist/gatos.bundle.cjs) with a V8 code cache, which takes about
 * 60 ms off every command on this project's machine (decision 0034).
 * The cache is the user's own: $GATOS_CACHE_DIR, else
 * $XDG_CACHE_HOME/gatos-gate, else ~/.cache/gatos-gate; GATOS_CACHE_DIR=off,
 * or no HOME, means none. A missing, corrupt or stale cache only costs time
 * (src/loader/code-cache.ts). Adapter.
 */
import path from 'node:path';
import { runBundleCached } from '../loader/code-cache';
import { CLI_LOADED } from './loaded';

function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  if (env.GATOS_CACHE_DIR) return env.GATOS_CACHE_DIR === 'off' ? undefined : path.resolve(env.GATOS_CACHE_DIR);
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return path.join(env.XDG_CACHE_HOME, 'gatos-gate');
  return env.HOME && path.isAbsolute(env.HOME) ? path.join(env.HOME, '.cache', 'gatos-gate') : undefined;
}

const bundle = path.join(__dirname, 'gatos.bundle.cjs');
try {
  // The bundle starts the command line itself when it sees this (src/cli/main.ts).
  (globalThis as Record<symbol, unknown>)[CLI_LOADED] = true;
  runBundleCached(bundle, cacheDir(process.env), true);
} catch (e) {
  process.stderr.write(`internal error[GATE_ERROR]: cannot load ${bundle}: ${e instanceof Error ? e.message : String(e)}\n  hint: reinstall gatos-gate (npm install -g, or npm run build in a clone)\n`);
  process.exitCode = 3;
}
