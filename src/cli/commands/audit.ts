/** `gatos audit log [--repo <git-dir>] [--json]`: the gate's audit trail, newest first. */
import type { CommandModule } from 'yargs';
import { decodeUtf8 } from '../../core/bytes';
import type { JsonValue } from '../../canon/jcs';
import { displayText } from '../../core/byte-text';
import { AUDIT_ENTRY_FILE, AUDIT_POLICY_REF, textOf } from '../../gate';
import { openRepo } from '../../git';
import { CliError, EXIT } from '../errors';
import { countOption } from '../options';

interface LogArgs {
  repo: string;
  json: boolean;
  limit?: string;
}

/** Text fields may be {"bytes_b64": …} (docs/gate.md, "The audit trail"): shown with their bytes escaped. */
interface EntryView {
  time?: string;
  outcome?: string;
  actor?: JsonValue;
  host_user?: JsonValue;
  mode?: string;
  hook?: string;
  policy_root?: string | null;
  gate_error?: { code: string; reason: JsonValue } | null;
  denials?: { ref: JsonValue; code: string; rule: string; reason: JsonValue; enforced: boolean; commit: string | null }[];
}

/** One text field of an entry for a terminal: absent or null as `fallback`, bytes that are not text escaped. */
function shown(v: JsonValue | undefined, fallback: string): string {
  if (v === undefined || v === null) return fallback;
  const s = textOf(v);
  return s === undefined ? JSON.stringify(v) : displayText(s);
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
      const tip = await repo.readRef(AUDIT_POLICY_REF);
      if (!tip.ok) throw new CliError('GIT_ERROR', tip.error.message, undefined, EXIT.INTERNAL);
      if (!tip.value) {
        if (!args.json) process.stdout.write(`no audit entries (${AUDIT_POLICY_REF} does not exist)\n`);
        return;
      }
      let n = 0;
      for await (const c of repo.walkCommits({ include: [tip.value], order: 'topo' })) {
        if (!c.ok) throw new CliError('GIT_ERROR', c.error.message, undefined, EXIT.INTERNAL);
        if (limit !== undefined && n >= limit) break;
        n++;
        const tree = await repo.readTree(c.value.tree);
        const e = tree.ok ? tree.value.find((t) => t.name === AUDIT_ENTRY_FILE) : undefined;
        const blob = e ? await repo.readBlob(e.id) : undefined;
        const text = blob && blob.ok ? decodeUtf8(blob.value) : undefined;
        if (text === undefined) throw new CliError('PROOF_INVALID', `audit commit ${c.value.id} has no readable ${AUDIT_ENTRY_FILE}`, 'the audit ref is written by the gate only; inspect it with git log', EXIT.NEGATIVE);
        const entry = JSON.parse(text) as EntryView;
        if (args.json) {
          process.stdout.write(`${JSON.stringify({ commit: c.value.id, entry })}\n`);
          continue;
        }
        const host = entry.host_user !== undefined && entry.host_user !== null ? ` host_user=${shown(entry.host_user, '')}` : '';
        process.stdout.write(`${c.value.id.slice(0, 12)} ${entry.time ?? '?'} ${entry.outcome ?? '?'} actor=${shown(entry.actor, '(unknown)')} mode=${entry.mode ?? '?'} hook=${entry.hook ?? '?'}${host}\n`);
        if (entry.gate_error) process.stdout.write(`  GATE ERROR ${entry.gate_error.code}: ${shown(entry.gate_error.reason, '')}\n`);
        for (const d of entry.denials ?? []) {
          process.stdout.write(`  ${d.enforced ? 'DENY' : 'WOULD DENY'} ${shown(d.ref, '?')} ${d.code} ${d.rule}: ${shown(d.reason, '')}\n`);
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
