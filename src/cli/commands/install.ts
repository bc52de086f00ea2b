/**
 * `gatos install <bare-repo> [--template minimal|regulated|airgapped]
 * [--host <host>] [--dry-run]`, `--all <dir>` and `--uninstall`: what
 * ./install.sh runs. See src/install/install.ts, docs/operators.md and
 * docs/hosts/.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { HOOK_NAMES, install, installAll, uninstall, type HookFile, type InstallOptions } from '../../install/install';
import { HOSTS, HOST_PROFILES, isHostName, type HostName } from '../../gate/hosts';
import { nowSeconds } from '../../workspace/clock';
import { CliError, EXIT } from '../errors';
import { JSON_OPTION, printJson } from '../json';

interface InstallArgs {
  repo?: string;
  all?: string;
  host?: string;
  'dry-run': boolean;
  template: string;
  trust?: string;
  hooks?: string;
  uninstall: boolean;
  'audit-readable': boolean;
  'templates-dir'?: string;
  'hooks-dir'?: string;
  json: boolean;
}

/** Resolved beside the bundle: dist/gatos.cjs -> ../templates, ../hooks. */
const beside = (name: string) => path.resolve(__dirname, '..', name);

export const installCommand: CommandModule<object, InstallArgs> = {
  command: 'install [repo]',
  describe: 'Install the push-gate into a bare repository (hooks, policy bundle, config); --uninstall restores what was there',
  builder: (y) =>
    y
      .positional('repo', { type: 'string', describe: 'the bare repository' })
      .option('host', { type: 'string', describe: `the Git host: ${HOSTS.join(', ')} (where the hook goes, which variables name the pusher; docs/hosts/). Default plain; a gitolite repository must say gitolite` })
      .option('all', { type: 'string', describe: 'install into every bare repository under this folder (idempotent; a summary at the end)' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'print what would change and change nothing' })
      .option('template', { type: 'string', default: 'minimal', describe: 'policy template: minimal, regulated or airgapped' })
      .option('trust', { type: 'string', describe: "a workspace's gatos/trust folder (your root actors, keys, grants) to publish with the template" })
      .option('hooks', { type: 'string', describe: 'which hooks to install: pre-receive, update or both (comma-separated; default both, pre-receive alone under gitolite)' })
      .option('audit-readable', { type: 'boolean', default: false, describe: 'let clients fetch the audit trail refs/gatos/audit/** (default: hidden from clients, operators read it on the server)' })
      .option('uninstall', { type: 'boolean', default: false, describe: 'remove the hooks and restore the previous hooks and config' })
      .option('templates-dir', { type: 'string', describe: 'where templates live (default: templates/ beside gatos)' })
      .option('hooks-dir', { type: 'string', describe: 'where the built hooks are (default: hooks/ beside gatos)' })
      .options(JSON_OPTION),
  handler: async (args) => {
    if (args.host !== undefined && !isHostName(args.host)) throw new CliError('USAGE', `--host ${args.host}: unknown host`, `name one of ${HOSTS.join(', ')} (docs/hosts/)`);
    const host: HostName | undefined = args.host as HostName | undefined;
    if ((args.repo === undefined) === (args.all === undefined)) throw new CliError('USAGE', args.repo === undefined ? 'name a bare repository, or --all <dir>' : 'give a repository or --all <dir>, not both', 'gatos install /srv/git/project.git --template regulated --trust <workspace>/gatos/trust');
    if (args.uninstall) {
      if (args.repo === undefined) throw new CliError('USAGE', '--uninstall takes one repository', 'gatos install <repo> --uninstall');
      const r = uninstall(args.repo);
      if (!r.ok) throw CliError.from(r.error, r.error.code === 'GIT_ERROR' ? EXIT.INTERNAL : EXIT.USAGE);
      if (args.json) return printJson({ repo: args.repo, uninstalled: r.value.length > 0, changes: r.value });
      process.stdout.write(r.value.length === 0 ? `gatos install: the gate is not installed in ${args.repo}; nothing to do\n` : `${r.value.map((l) => `gatos install: ${l}`).join('\n')}\n`);
      return;
    }
    const defaultHooks = host === 'gitolite' ? 'pre-receive' : HOOK_NAMES.join(',');
    const hooks = (args.hooks ?? defaultHooks).split(',').map((s) => s.trim());
    const bad = hooks.find((h) => !(HOOK_NAMES as readonly string[]).includes(h));
    if (bad !== undefined || hooks.length === 0) throw new CliError('USAGE', `--hooks ${args.hooks ?? ''}: unknown hook '${bad ?? ''}'`, `name ${HOOK_NAMES.join(' and/or ')}`);
    const now = nowSeconds();
    if (!now.ok) throw CliError.from(now.error);
    const opts: Omit<InstallOptions, 'repo'> = {
      template: args.template,
      templatesDir: path.resolve(args['templates-dir'] ?? process.env.GATOS_TEMPLATES ?? beside('templates')),
      hooksDir: path.resolve(args['hooks-dir'] ?? beside('hooks')),
      hooks: hooks as HookFile[],
      now: now.value,
      auditReadable: args['audit-readable'],
      dryRun: args['dry-run'],
      ...(host ? { host } : {}),
      ...(args.trust ? { trustDir: path.resolve(args.trust) } : {}),
    };
    const dry = args['dry-run'] ? ' (dry run: nothing was changed)' : '';
    if (args.all !== undefined) {
      const r = await installAll(args.all, opts);
      if (!r.ok) throw CliError.from(r.error, EXIT.USAGE);
      const { lines, changed, unchanged, failed } = r.value;
      if (args.json) printJson({ all: args.all, dry_run: args['dry-run'], host: host ?? 'plain', changed, unchanged, failed, lines, trusted: args.trust !== undefined });
      else process.stdout.write(`${lines.map((l) => `gatos install: ${l}`).join('\n')}\ngatos install: ${changed + unchanged + failed} repositories under ${args.all}: ${changed} ${args['dry-run'] ? 'would change' : 'changed'}, ${unchanged} unchanged, ${failed} failed${dry}\n`);
      warnTrust(args, host);
      if (failed > 0) process.exitCode = EXIT.USAGE;
      return;
    }
    const repo = args.repo as string;
    const r = await install({ ...opts, repo });
    if (!r.ok) throw CliError.from(r.error, r.error.code === 'GIT_ERROR' ? EXIT.INTERNAL : EXIT.USAGE);
    if (args.json) printJson({ repo, dry_run: args['dry-run'], host: host ?? 'plain', template: args.template, changed: r.value.length > 0, changes: r.value, trusted: args.trust !== undefined });
    else if (args['dry-run']) process.stdout.write(r.value.length === 0 ? `gatos install: ${repo} already has the gate with template ${args.template}; nothing would change\n` : `${r.value.map((l) => `gatos install: ${l}`).join('\n')}\ngatos install: dry run: nothing was changed\n`);
    else process.stdout.write(r.value.length === 0 ? `gatos install: ${repo} already has the gate with template ${args.template}; nothing changed\n` : `${r.value.map((l) => `gatos install: ${l}`).join('\n')}\ngatos install: done; pushes to ${repo} are now decided by the gate\n`);
    warnTrust(args, host);
  },
};

/** Without --trust the published trust graph vouches for nobody: every GATOS push would be refused. Said loudly, on stderr. */
function warnTrust(args: InstallArgs, host: HostName | undefined): void {
  if (args.trust !== undefined) return;
  const target = args.all !== undefined ? `--all ${args.all}` : (args.repo as string);
  process.stderr.write(
    [
      '',
      'gatos install: WARNING: installed WITHOUT --trust: the trust graph vouches for nobody, so every GATOS push',
      'gatos install: WARNING: (events, checkpoints, policy changes) will be REFUSED. Plain branches follow the policy as usual.',
      'gatos install: WARNING: create the root actors in an admin workspace (gatos init; gatos key new; gatos trust add), then run:',
      `gatos install: WARNING:   gatos install ${target} --template ${args.template}${host ? ` --host ${host}` : ''} --trust <admin workspace>/gatos/trust`,
      `gatos install: WARNING: (docs/operators.md, "Bootstrapping trust"; ${HOST_PROFILES[host ?? 'plain'].doc})`,
      '',
    ].join('\n'),
  );
}
