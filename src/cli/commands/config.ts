/**
 * `gatos config check --repo <bare> [--gate-yaml <file>] [--json]`: the
 * gate's settings of a repository checked as install checks them: every
 * `gatos.*` entry of its git config (an unknown key with the closest known
 * one, a bad value with what was expected) and, if named, a gate.yaml.
 * Exit 0 when the hooks can use them (warnings aside), 1 when not.
 */
import { readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { problemLine } from '../../gate';
import { openRepo } from '../../git';
import { settingProblems } from '../../push/config-check';
import { CliError, EXIT, setExitCode } from '../errors';
import { JSON_OPTION, printJson } from '../json';

interface CheckArgs {
  repo: string;
  'gate-yaml'?: string;
  json: boolean;
}

const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe: "Check a repository's gate settings (git config gatos.*, and a gate.yaml if named) as install does",
  builder: (y) =>
    y
      .option('repo', { type: 'string', demandOption: true, describe: 'the bare repository' })
      .option('gate-yaml', { type: 'string', describe: 'also check this gate.yaml (a template\'s gatos/config/gate.yaml)' })
      .options(JSON_OPTION),
  handler: async (args) => {
    const opened = await openRepo(args.repo, { env: { ...process.env, GIT_DIR: undefined } as NodeJS.ProcessEnv });
    if (!opened.ok) throw new CliError('NOT_FOUND', `${args.repo}: ${opened.error.message}`, 'name the bare repository the gate is installed in');
    const gitDir = opened.value.gitDir;
    await opened.value.close();
    let yaml: { file: string; text: string } | undefined;
    if (args['gate-yaml'] !== undefined) {
      try {
        yaml = { file: args['gate-yaml'], text: readFileSync(args['gate-yaml'], 'utf8') };
      } catch (e) {
        throw new CliError('NOT_FOUND', `${args['gate-yaml']} cannot be read: ${e instanceof Error ? e.message : String(e)}`, 'name a gate.yaml file, e.g. templates/regulated/gatos/config/gate.yaml');
      }
    }
    const p = settingProblems(gitDir, yaml);
    if (!p.ok) throw CliError.from(p.error, EXIT.INTERNAL);
    const good = !p.value.some((x) => x.severity === 'error');
    if (args.json) printJson({ ok: good, problems: p.value });
    else {
      for (const x of p.value) process.stdout.write(`${problemLine(x)}\n`);
      const errors = p.value.filter((x) => x.severity === 'error').length;
      process.stdout.write(good ? `ok: the gate can use the settings of ${args.repo}${p.value.length > 0 ? ` (${p.value.length} warning${p.value.length === 1 ? '' : 's'})` : ''}\n` : `${errors} error${errors === 1 ? '' : 's'}: every push to ${args.repo} would be refused until they are fixed\n`);
    }
    setExitCode(good ? EXIT.OK : EXIT.NEGATIVE);
  },
};

export const configCommand: CommandModule<object, object> = {
  command: 'config <command>',
  describe: "The gate's settings: check them",
  builder: (y) => y.command(checkCommand as CommandModule<object, CheckArgs>).demandCommand(1, 'name a config command: check'),
  handler: () => {
    throw new CliError('USAGE', 'name a config command: check', "try 'gatos config check --help'");
  },
};
