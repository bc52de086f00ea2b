/**
 * The loader's own fail-closed path: when a hook's bundle is missing,
 * unreadable, truncated or throws while it loads, none of the gate runs, so
 * the loader itself refuses the push (GATE_ERROR, gate/error, exit 2, no
 * stack trace) and appends the audit entry with git alone, as the audit
 * writer would (outside the quarantine, compare-and-swap, retried). If that
 * fails too, the refusal says it was not recorded. Adapter (the process, git).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { canonicalJson } from '../canon/jcs';
import { textOfBytes } from '../core/byte-text';
import { hookArgs } from './raw-input';
import { AUDIT_ENTRY_FILE, AUDIT_IDENTITY, auditEntry, auditMessage, type AuditContext } from '../gate/audit-entry';
import { refusalLines, type AuditOutcome } from '../gate/refusal';
import { HOOK_EXIT, gateFailure } from '../gate/verdict';

const AUDIT_REF = 'refs/gatos/audit/policy';
const HOST_NAMES = ['GATOS_ACTOR', 'GL_USER', 'GL_USERNAME', 'REMOTE_USER'] as const;
const QUARANTINE = ['GIT_QUARANTINE_PATH', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES'];

interface Update {
  readonly ref: string;
  readonly oldId: string;
  readonly newId: string;
}

/** The updates as git gave them (stdin for pre-receive, argv for update), read leniently: the entry records whatever came. */
function updatesOf(hook: 'pre-receive' | 'update'): Update[] {
  if (hook === 'update') {
    const [ref, oldId, newId] = hookArgs();
    return ref !== undefined && oldId !== undefined && newId !== undefined ? [{ ref, oldId, newId }] : [];
  }
  try {
    return textOfBytes(readFileSync(0))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => l.split(' '))
      .filter((p) => p.length === 3)
      .map(([oldId, newId, ref]) => ({ ref: ref as string, oldId: oldId as string, newId: newId as string }));
  } catch {
    return [];
  }
}

function git(args: readonly string[], env: NodeJS.ProcessEnv, input?: string | Uint8Array): string | undefined {
  const r = spawnSync('git', args, { env, ...(input !== undefined ? { input } : {}), encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const sleep = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

function writeAudit(hook: 'pre-receive' | 'update', reason: string, updates: readonly Update[], now: number): AuditOutcome {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of QUARANTINE) delete env[k];
  const mode = git(['config', '--get', 'gatos.mode'], env) === 'evaluate' ? 'evaluate' : 'enforce';
  const host = HOST_NAMES.find((n) => (process.env[n] ?? '') !== '');
  const ctx: AuditContext = { hook, now, mode, transport: process.env.SSH_CONNECTION || process.env.SSH_CLIENT ? 'ssh' : process.env.REMOTE_ADDR ? 'http' : 'file', updates, ...(host ? { hostUser: process.env[host] as string, actorSource: host } : {}) };
  const verdict = gateFailure('GATE_ERROR', reason, updates);
  const bytes = canonicalJson(auditEntry(verdict, ctx));
  if (!bytes.ok) return 'not-recorded';
  const blob = git(['hash-object', '-w', '--stdin'], env, bytes.value);
  const tree = blob && git(['mktree'], env, `100644 blob ${blob}\t${AUDIT_ENTRY_FILE}\n`);
  if (!tree) return 'not-recorded';
  const date = `@${now} +0000`;
  const who = { GIT_AUTHOR_NAME: AUDIT_IDENTITY.name, GIT_AUTHOR_EMAIL: AUDIT_IDENTITY.email, GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: AUDIT_IDENTITY.name, GIT_COMMITTER_EMAIL: AUDIT_IDENTITY.email, GIT_COMMITTER_DATE: date };
  for (let attempt = 0, wait = 20; attempt < 16; attempt++, wait = Math.min(wait * 2, 400)) {
    const tip = git(['rev-parse', '--verify', '-q', AUDIT_REF], env);
    const commit = git(['commit-tree', tree, ...(tip ? ['-p', tip] : []), '-F', '-'], { ...env, ...who }, auditMessage(verdict, ctx));
    if (!commit) return 'not-recorded';
    if (git(['update-ref', '-m', 'gatos audit', AUDIT_REF, commit, tip ?? '0'.repeat(commit.length)], env) !== undefined) return 'recorded';
    sleep(wait / 2 + Math.random() * (wait / 2));
  }
  return 'not-recorded';
}

/** Set by the hook once it runs (exit.ts): a bundle that ends without setting it never decided anything. */
export const HOOK_STARTED = Symbol.for('gatos.hookStarted');

/** Refuses the push because the hook's bundle could not be loaded; never returns. */
export function refuseUnloadable(hook: 'pre-receive' | 'update', bundle: string, e: unknown): never {
  const why = e instanceof Error ? `${e.name}: ${e.message.split('\n')[0] ?? ''}` : String(e);
  refuseBeforeTheHook(hook, `the gate's hook file ${bundle} cannot be loaded (${why}), so nothing could be checked`, 'reinstall the gate (./install.sh <repo> --template <name>): its hook files are missing or damaged');
}

/**
 * Refuses the push because the gate's node was started so that it could end before deciding (an IPC channel
 * whose close makes a cluster worker exit 0); the stubs never start it so. Never returns.
 */
export function refuseUnsafeStart(hook: 'pre-receive' | 'update', why: string): never {
  refuseBeforeTheHook(hook, `the gate's node was started ${why}, so it did not decide`, 'run the hooks as installed (their stubs start node without NODE_CHANNEL_FD and NODE_UNIQUE_ID), and check what sets those variables for the git user');
}

function refuseBeforeTheHook(hook: 'pre-receive' | 'update', reason: string, hint: string): never {
  const updates = updatesOf(hook);
  let audit: AuditOutcome = 'not-recorded';
  try {
    audit = writeAudit(hook, reason, updates, Math.floor(Date.now() / 1000));
  } catch {
    // Not recorded: the footer says so.
  }
  const lines = refusalLines(gateFailure('GATE_ERROR', reason, updates), 'text', audit);
  if (audit !== 'recorded') lines.splice(1, 0, 'gatos gate: WARNING: the audit entry could not be written either');
  process.stderr.write(`${[...lines, `operator: ${hint}`].join('\n')}\n`);
  process.exit(HOOK_EXIT.GATE_ERROR);
}
