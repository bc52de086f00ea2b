/** `gatos audit log [--repo <git-dir>] [--json]`: the gate's audit trail, newest first. */
import type { CommandModule } from 'yargs';
import { displayText } from '../../core/byte-text';
import { AUDIT_POLICY_REF } from '../../gate';
import { openRepo } from '../../git';
import { readAuditTrail } from '../../push/audit-trail';
import { CliError, EXIT } from '../errors';
import { countOption } from '../options';

interface LogArgs {
  repo: string;
  json: boolean;
  limit?: string;
}

/** One text field of an entry for a terminal: absent as `fallback`, bytes that are not text escaped. */
function shown(v: string | null, fallback: string): string {
  return v === null ? fallback : displayText(v);
}

const logCommand: CommandModule<object, LogArgs> = {
  command: 'log',
  describe: `Print the audit trail (${AUDIT_POLICY_REF}), newest first`,
  builder: (y) =>
    y
      .option('repo', { type: 'string', default: '.', describe: 'the repository (a bare repository or a .git folder)' })
      .option('json', { type: 'boolean', default: false, describe: 'one JSON object per line: {commit, entry}' })
      .option('limit', { type: 'string', describe: 'at most this many entries (a whole number, 1 or more)' }),
  handler: async (args) => {
    const limit = countOption('limit', args.limit);
    const opened = await openRepo(args.repo, { env: { ...process.env, GIT_DIR: undefined } as NodeJS.ProcessEnv });
    if (!opened.ok) throw new CliError('NOT_FOUND', `${args.repo}: ${opened.error.message}`, 'name a repository with --repo');
    const repo = opened.value;
    try {
      const trail = await readAuditTrail(repo, limit);
      if (!trail.ok) throw CliError.from(trail.error, trail.error.code === 'GIT_ERROR' ? EXIT.INTERNAL : EXIT.NEGATIVE);
      if (!trail.value) {
        if (!args.json) process.stdout.write(`no audit entries (${AUDIT_POLICY_REF} does not exist)\n`);
        return;
      }
      for (const { commit, entry } of trail.value) {
        if (args.json) {
          process.stdout.write(`${JSON.stringify({ commit, entry: entry.json })}\n`);
          continue;
        }
        const host = entry.hostUser !== null ? ` host_user=${shown(entry.hostUser, '')}` : '';
        process.stdout.write(`${commit.slice(0, 12)} ${entry.time} ${entry.outcome} actor=${shown(entry.actor, '(unknown)')} mode=${entry.mode} hook=${entry.hook}${host}\n`);
        if (entry.gateError) process.stdout.write(`  GATE ERROR ${entry.gateError.code}: ${displayText(entry.gateError.reason)}\n`);
        for (const d of entry.denials) {
          process.stdout.write(`  ${d.enforced ? 'DENY' : 'WOULD DENY'} ${displayText(d.ref)} ${d.code} ${d.rule}: ${displayText(d.reason)}\n`);
        }
      }
    } finally {
      await repo.close();
    }
  },
};

export const auditCommand: CommandModule<object, object> = {
  command: 'audit <command>',
  describe: 'Read the audit trail of the push-gate',
  builder: (y) => y.command(logCommand as CommandModule<object, LogArgs>).demandCommand(1, 'name an audit command: log'),
  handler: () => {
    throw new CliError('USAGE', 'name an audit command: log', "try 'gatos audit log --help'");
  },
};
