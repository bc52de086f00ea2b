/**
 * `gatos install <bare-repo> [--template minimal|regulated|airgapped]` and
 * `--uninstall`: what ./install.sh runs. See src/hooks/install.ts and
 * docs/operators.md.
 */
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { HOOK_NAMES, install, uninstall, type HookFile } from '../../hooks/install';
import { nowSeconds } from '../../workspace/clock';
import { CliError, EXIT } from '../errors';

interface InstallArgs {
  repo: string;
  template: string;
  trust?: string;
  hooks: string;
  uninstall: boolean;
  'audit-readable': boolean;
  'templates-dir'?: string;
  'hooks-dir'?: string;
}

/** Resolved beside the bundle: dist/gatos.cjs -> ../templates, ../hooks. */
const beside = (name: string) => path.resolve(__dirname, '..', name);

export const installCommand: CommandModule<object, InstallArgs> = {
  command: 'install <repo>',
  describe: 'Install the push-gate into a bare repository (hooks, policy bundle, config); --uninstall restores what was there',
  builder: (y) =>
    y
      .positional('repo', { type: 'string', demandOption: true, describe: 'the bare repository' })
      .option('template', { type: 'string', default: 'minimal', describe: 'policy template: minimal, regulated or airgapped' })
      .option('trust', { type: 'string', describe: "a workspace's gatos/trust folder (your root actors, keys, grants) to publish with the template" })
      .option('hooks', { type: 'string', default: HOOK_NAMES.join(','), describe: 'which hooks to install: pre-receive, update or both (comma-separated)' })
      .option('audit-readable', { type: 'boolean', default: false, describe: 'let clients fetch the audit trail refs/gatos/audit/** (default: hidden from clients, operators read it on the server)' })
      .option('uninstall', { type: 'boolean', default: false, describe: 'remove the hooks and restore the previous hooks and config' })
      .option('templates-dir', { type: 'string', describe: 'where templates live (default: templates/ beside gatos)' })
      .option('hooks-dir', { type: 'string', describe: 'where the built hooks are (default: hooks/ beside gatos)' }),
  handler: async (args) => {
    if (args.uninstall) {
      const r = uninstall(args.repo);
      if (!r.ok) throw CliError.from(r.error, r.error.code === 'GIT_ERROR' ? EXIT.INTERNAL : EXIT.USAGE);
      process.stdout.write(r.value.length === 0 ? `gatos install: the gate is not installed in ${args.repo}; nothing to do\n` : `${r.value.map((l) => `gatos install: ${l}`).join('\n')}\n`);
      return;
    }
    const hooks = args.hooks.split(',').map((s) => s.trim());
    const bad = hooks.find((h) => !(HOOK_NAMES as readonly string[]).includes(h));
    if (bad !== undefined || hooks.length === 0) throw new CliError('USAGE', `--hooks ${args.hooks}: unknown hook '${bad ?? ''}'`, `name ${HOOK_NAMES.join(' and/or ')}`);
    const now = nowSeconds();
    if (!now.ok) throw CliError.from(now.error);
    const r = await install({
      repo: args.repo,
      template: args.template,
      templatesDir: path.resolve(args['templates-dir'] ?? process.env.GATOS_TEMPLATES ?? beside('templates')),
      hooksDir: path.resolve(args['hooks-dir'] ?? beside('hooks')),
      hooks: hooks as HookFile[],
      now: now.value,
      auditReadable: args['audit-readable'],
      ...(args.trust ? { trustDir: path.resolve(args.trust) } : {}),
    });
    if (!r.ok) throw CliError.from(r.error, r.error.code === 'GIT_ERROR' ? EXIT.INTERNAL : EXIT.USAGE);
    process.stdout.write(r.value.length === 0 ? `gatos install: ${args.repo} already has the gate with template ${args.template}; nothing changed\n` : `${r.value.map((l) => `gatos install: ${l}`).join('\n')}\ngatos install: done; pushes to ${args.repo} are now decided by the gate\n`);
  },
};
