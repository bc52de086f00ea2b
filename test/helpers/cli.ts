/** Runs the built CLI bundle as a user would. Tests that use it need `npm run build` first (npm test does it). */
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '../../dist/gatos.cjs');
/** The bundle the CLI's loader compiles (src/cli/loader.ts). */
export const CLI_BUNDLE = path.resolve(__dirname, '../../dist/gatos.bundle.cjs');

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], opts: SpawnSyncOptions = {}): CliRun {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npm run build' first`);
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', ...opts, env: { ...process.env, ...opts.env } });
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}
