/**
 * `gatos gate check --repo <bare> <old> <new> <ref>`: the decision the hooks
 * would make for one update, without a push and without an audit entry.
 * Exit 0 allow, 1 deny, 2 bad arguments (an id the repository does not
 * hold), 3 when the gate could not decide (as the hooks: a gate error, a bad
 * setting, no active policy, the time budget: the
 * hooks' rule, src/gate/budget.ts).
 */
import type { CommandModule } from 'yargs';
import { HOOK_EXIT, budgetExceeded, checkUpdate, exitCodeOf, gateFailure, refusalLines, type Verdict } from '../../gate';
import { openRepo } from '../../git';
import { decidePush } from '../../push/decide-push';
import { newObjectCount } from '../../push/push-objects';
import { readSettings } from '../../push/settings';
import { DecisionMeter, withBudget } from '../../push/watchdog';
import { parseTime } from '../../trust';
import { CliError, EXIT, setExitCode } from '../errors';
import { printJson, snakeKeys } from '../json';

interface CheckArgs {
  repo: string;
  old: string;
  new: string;
  ref: string;
  actor?: string;
  now?: string;
  json: boolean;
}

const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check <old> <new> <ref>',
  describe: 'Decide one ref update as the hooks would, without pushing (no audit entry)',
  builder: (y) =>
    y
      .positional('old', { type: 'string', demandOption: true })
      .positional('new', { type: 'string', demandOption: true })
      .positional('ref', { type: 'string', demandOption: true })
      .option('repo', { type: 'string', demandOption: true, describe: 'the bare repository' })
      .option('actor', { type: 'string', describe: 'decide as this pusher (sets GATOS_ACTOR)' })
      .option('now', { type: 'string', describe: 'decide at this time (RFC 3339 UTC) instead of the clock' })
      .option('json', { type: 'boolean', default: false, describe: 'print the decision as JSON' }),
  handler: async (args) => {
    const opened = await openRepo(args.repo, { env: { ...process.env, GIT_DIR: undefined } as NodeJS.ProcessEnv });
    if (!opened.ok) throw new CliError('NOT_FOUND', `${args.repo}: ${opened.error.message}`, 'name the bare repository the gate is installed in');
    const repo = opened.value;
    try {
      const u = checkUpdate(repo.format, args.ref, args.old, args.new, 'gate check');
      if (!u.ok) throw new CliError('USAGE', u.error.message, u.error.hint);
      // Objects the repository does not hold are the caller's mistake (exit 2), not a gate failure (3).
      for (const [name, id] of [['old', args.old], ['new', args.new]] as const) {
        if (/^0+$/.test(id)) continue;
        const info = await repo.objectInfo(id);
        if (!info.ok && info.error.kind !== 'missing') throw CliError.from(info.error, EXIT.INTERNAL);
        if (!info.ok) throw new CliError('NOT_FOUND', `gate check: the ${name} id ${id} is not an object in ${args.repo}`, 'fetch or push the objects into the repository first (git cat-file -e <id> tells)');
      }
      // A setting the hooks cannot use refuses every push as a gate failure: the same status as the hooks' (3).
      const settings = await readSettings(repo);
      if (!settings.ok) throw CliError.from(settings.error, EXIT.INTERNAL);
      let now = Math.floor(Date.now() / 1000);
      if (args.now !== undefined) {
        const t = parseTime(args.now, '--now');
        if (!t.ok) throw CliError.from(t.error);
        now = t.value;
      }
      const env = { ...process.env, ...(args.actor ? { GATOS_ACTOR: args.actor } : {}) };
      // The hooks' time budget, counted from the decision's start (a hook also counts its own start-up); progress when stderr is a terminal.
      const config = settings.value;
      const objects = await newObjectCount(repo, [u.value]);
      if (!objects.ok) throw CliError.from(objects.error, EXIT.INTERNAL);
      const meter = new DecisionMeter(config.budget, objects.value, 0, process.stderr.isTTY ? (t) => void process.stderr.write(t) : undefined);
      const timed = await withBudget(meter, () => decidePush({ hook: 'check', repo, updates: [u.value], env, now, config, meter }));
      const over = timed.done ? undefined : budgetExceeded(config.budget, timed.progress, config.host);
      const out: { verdict: Verdict; policyRoot?: string; policyCodeRoot?: string; foldRoot?: string } = timed.done ? timed.value : { verdict: gateFailure('GATE_ERROR', over?.reason ?? '', [u.value], over?.hint) };
      const v = out.verdict;
      if (args.json) {
        printJson(snakeKeys({ effect: v.accepted ? 'allow' : 'deny', policyRoot: out.policyRoot ?? null, policyCodeRoot: out.policyCodeRoot ?? null, foldRoot: out.foldRoot ?? null, now, decisions: v.decisions, denials: v.denials, gateError: v.gateError ?? null }));
      } else {
        process.stdout.write(v.accepted ? `allow ${args.ref} (policy ${out.policyRoot ?? '?'}, rules: ${v.decisions.flatMap((d) => d.allowedBy).join(', ') || 'none'})\n` : '');
        for (const l of refusalLines(v, 'text')) process.stdout.write(`${l}\n`);
      }
      // A gate failure (a gate error, or git failing while reading: exitCodeOf says 2) is 'could not decide', as in the hooks.
      setExitCode(v.accepted ? EXIT.OK : exitCodeOf(v) === HOOK_EXIT.GATE_ERROR ? EXIT.INTERNAL : EXIT.NEGATIVE);
    } finally {
      await repo.close();
    }
  },
};

export const gateCommand: CommandModule<object, object> = {
  command: 'gate <command>',
  describe: 'The push-gate: decide a ref update without a push',
  builder: (y) => y.command(checkCommand as CommandModule<object, CheckArgs>).demandCommand(1, 'name a gate command: check'),
  handler: () => {
    throw new CliError('USAGE', 'name a gate command: check', "try 'gatos gate check --help'");
  },
};
