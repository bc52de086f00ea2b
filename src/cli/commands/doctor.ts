/**
 * `gatos doctor [--repo <bare>] [--json]` and `gatos repair [--repo <bare>]
 * [--dry-run] [--json]`: an installed gate checked end to end, and what is
 * safe to fix fixed (src/ops/doctor.ts, src/ops/repair.ts;
 * docs/operators.md). doctor exits 1 when a check fails, 0 otherwise
 * (warnings included); repair exits 1 when an action it tried failed.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { checkBareRepo } from '../../install/install';
import { openRepo } from '../../git';
import { runDoctor, worstOf, type Check } from '../../ops/doctor';
import { runRepair } from '../../ops/repair';
import { nowSeconds } from '../../workspace/clock';
import { CliError, EXIT, setExitCode } from '../errors';
import { JSON_OPTION, printJson } from '../json';
import { countOption } from '../options';

interface CommonArgs {
  repo: string;
  json: boolean;
  'hooks-dir'?: string;
  'stale-minutes'?: string;
}
interface DoctorArgs extends CommonArgs {
  'expiry-days'?: string;
}
interface RepairArgs extends CommonArgs {
  'dry-run': boolean;
}

/** dist/gatos.cjs -> ../hooks: the hooks this gatos ships, what "this version" means. */
const beside = (name: string) => path.resolve(__dirname, '..', name);

const DEFAULT_EXPIRY_DAYS = 30;
const DEFAULT_STALE_MINUTES = 10;

function common<T>(y: import('yargs').Argv<T>) {
  return y
    .option('repo', { type: 'string', default: '.', describe: 'the bare repository the gate is installed in' })
    .option('hooks-dir', { type: 'string', describe: 'the built hooks to compare with and reinstall from (default: hooks/ beside gatos)' })
    .option('stale-minutes', { type: 'string', describe: `a lock file older than this many minutes is stale (default ${DEFAULT_STALE_MINUTES})` })
    .options(JSON_OPTION);
}

function gitDirOf(repo: string): string {
  const d = checkBareRepo(repo);
  if (!d.ok) throw CliError.from(d.error);
  return d.value;
}

function now(): number {
  const n = nowSeconds();
  if (!n.ok) throw CliError.from(n.error);
  return n.value;
}

const LABEL: Record<Check['status'], string> = { pass: 'pass', warn: 'WARN', fail: 'FAIL' };

export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: 'doctor',
  describe: 'Check an installed gate: hooks, host integration, versions, settings, bundle, trust, audit, journals, checkpoints, caches, daemon',
  builder: (y) => common(y).option('expiry-days', { type: 'string', describe: `warn about grants expiring within this many days (default ${DEFAULT_EXPIRY_DAYS})` }),
  handler: async (args) => {
    const gitDir = gitDirOf(args.repo);
    const opened = await openRepo(gitDir, { env: { ...process.env, GIT_DIR: undefined } as NodeJS.ProcessEnv });
    if (!opened.ok) throw new CliError('NOT_FOUND', `${args.repo}: ${opened.error.message}`, 'name the bare repository the gate is installed in');
    let checks: Check[];
    try {
      checks = await runDoctor({
        repo: opened.value,
        hooksDir: path.resolve(args['hooks-dir'] ?? beside('hooks')),
        now: now(),
        expiryDays: countOption('expiry-days', args['expiry-days'], 0) ?? DEFAULT_EXPIRY_DAYS,
        staleMinutes: countOption('stale-minutes', args['stale-minutes'], 0) ?? DEFAULT_STALE_MINUTES,
      });
    } finally {
      await opened.value.close();
    }
    const worst = worstOf(checks);
    if (args.json) printJson({ repo: gitDir, status: worst, checks });
    else {
      for (const c of checks) {
        process.stdout.write(`${LABEL[c.status]}  ${c.id}: ${c.message.replace(/\n/g, '\n      ')}\n`);
        if (c.hint && c.status !== 'pass') process.stdout.write(`      hint: ${c.hint}\n`);
      }
      const n = (s: Check['status']) => checks.filter((c) => c.status === s).length;
      process.stdout.write(`${worst === 'fail' ? 'FAIL' : worst === 'warn' ? 'WARN' : 'ok'}: ${n('pass')} passed, ${n('warn')} warned, ${n('fail')} failed (${gitDir})\n`);
    }
    setExitCode(worst === 'fail' ? EXIT.NEGATIVE : EXIT.OK);
  },
};

export const repairCommand: CommandModule<object, RepairArgs> = {
  command: 'repair',
  describe: 'Fix what is safe: stale locks and verdict records, a corrupt code cache, replaced hooks; never rewrites journals, state or the audit trail',
  builder: (y) => common(y).option('dry-run', { type: 'boolean', default: false, describe: 'say what would be done and change nothing' }),
  handler: (args) => {
    const gitDir = gitDirOf(args.repo);
    const actions = runRepair({
      gitDir,
      hooksDir: path.resolve(args['hooks-dir'] ?? beside('hooks')),
      nowMs: now() * 1000,
      staleMinutes: countOption('stale-minutes', args['stale-minutes'], 0) ?? DEFAULT_STALE_MINUTES,
      dryRun: args['dry-run'],
    });
    const failed = actions.filter((a) => a.failed !== undefined);
    if (args.json) printJson({ repo: gitDir, dry_run: args['dry-run'], actions });
    else {
      for (const a of actions) process.stdout.write(`gatos repair: ${a.did}${a.failed ? `: FAILED: ${a.failed}` : ''}\n`);
      process.stdout.write(actions.length === 0 ? `gatos repair: nothing to repair in ${gitDir}\n` : `gatos repair: ${args['dry-run'] ? 'dry run, nothing was changed; ' : ''}run gatos doctor --repo ${gitDir} to check\n`);
    }
    setExitCode(failed.length > 0 ? EXIT.NEGATIVE : EXIT.OK);
  },
};
