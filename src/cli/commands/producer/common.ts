/**
 * What the producer commands share: the workspace and repository around the
 * current directory, the signing actor and its key, the clock, and turning
 * error values into CliErrors with the exit status docs/cli.md gives.
 */
import type { ErrorCode } from '../../../core/codes';
import type { GateError, Result } from '../../../core/result';
import type { GitRepo } from '../../../git';
import { defaultKeyDir, loadKey, type ActorKey } from '../../../keys';
import { nowSeconds } from '../../../workspace/clock';
import { findWorkspace, openWorkspaceRepo, requireInitialized, type Workspace } from '../../../workspace/workspace';
import { CliError, EXIT } from '../../errors';

const NEGATIVE: readonly ErrorCode[] = ['POLICY_DENY', 'CAP_EXPIRED', 'FF_VIOLATION', 'DUP_COMMIT', 'EPOCH_BROKEN', 'PROOF_INVALID', 'SIG_INVALID', 'ACK_TIMEOUT', 'SESSION_NOT_JOIN', 'SESSION_CONFLICT'];

/** The exit status for an error: negative answers 1, git and internal failures 3, the rest (bad input) 2. */
export function exitFor(e: GateError): number {
  if (NEGATIVE.includes(e.code)) return EXIT.NEGATIVE;
  if (e.code === 'GIT_ERROR' || e.code === 'GATE_ERROR') return EXIT.INTERNAL;
  return EXIT.USAGE;
}

export function must<T>(r: Result<T>): T {
  if (!r.ok) throw CliError.from(r.error, exitFor(r.error));
  return r.value;
}

export function workspace(needInit = true): Workspace {
  const ws = must(findWorkspace(process.cwd()));
  if (needInit) must(requireInitialized(ws));
  return ws;
}

export async function repoOf(ws: Workspace): Promise<GitRepo> {
  return must(await openWorkspaceRepo(ws));
}

export function now(): number {
  return must(nowSeconds());
}

export interface SignerArgs {
  as?: string;
  'key-dir'?: string;
}

export function keyDir(args: SignerArgs): string {
  return args['key-dir'] ?? defaultKeyDir();
}

/** The acting actor: --as, else $GATOS_ACTOR. */
export function actingActor(args: SignerArgs, fallback?: string): string {
  const a = args.as ?? process.env.GATOS_ACTOR ?? fallback;
  if (!a) throw new CliError('USAGE', 'no acting actor: who signs this?', 'pass --as user:<name> or set GATOS_ACTOR');
  return a;
}

export function signer(args: SignerArgs, fallback?: string): ActorKey {
  return must(loadKey(keyDir(args), actingActor(args, fallback)));
}

export const SIGNER_OPTIONS = {
  as: { type: 'string', describe: 'the acting actor, e.g. user:alice (default: $GATOS_ACTOR)' },
  'key-dir': { type: 'string', describe: 'where private keys live (default: $GATOS_KEY_DIR, else ~/.config/gatos/keys)' },
} as const;

/** Runs an async handler body and closes the repository whatever happens. */
export async function withRepo<T>(ws: Workspace, body: (repo: GitRepo) => Promise<T>): Promise<T> {
  const repo = await repoOf(ws);
  try {
    return await body(repo);
  } finally {
    await repo.close();
  }
}
