/**
 * `gatos policy init --template <name>` (a template's files into the
 * workspace) and `gatos policy publish` (compile and commit the bundle,
 * move refs/gatos/policies/active by compare-and-swap).
 */
import { cpSync, existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { formatDiagnostic } from '../../../core/diagnostic';
import { decodeUtf8 } from '../../../core/bytes';
import { buildBundle, publishBundle } from '../../../bundle';
import { readFolder } from '../../../workspace/workspace';
import { CliError, EXIT } from '../../errors';
import { JSON_OPTION, printJson } from '../../json';
import { listFiles } from './sources';
import { must, now, SIGNER_OPTIONS, withRepo, workspace, type SignerArgs } from '../producer/common';

/** templates/ beside the bundle (dist/gatos.cjs -> ../templates), unless told otherwise. */
function templatesDir(given?: string): string {
  return path.resolve(given ?? process.env.GATOS_TEMPLATES ?? path.join(__dirname, '..', 'templates'));
}

interface InitArgs {
  template: string;
  'templates-dir'?: string;
  force: boolean;
}

export const policyInitCommand: CommandModule<object, InitArgs> = {
  command: 'init',
  describe: "Copy a policy template's sources (templates/<name>/) into the workspace",
  builder: (y) =>
    y
      .option('template', { type: 'string', demandOption: true, describe: 'a folder under templates/, e.g. minimal, regulated, airgapped' })
      .option('templates-dir', { type: 'string', describe: 'where templates live (default: $GATOS_TEMPLATES, else templates/ beside gatos)' })
      .option('force', { type: 'boolean', default: false, describe: 'overwrite files that already exist' }),
  handler: (args) => {
    const ws = workspace();
    const dir = templatesDir(args['templates-dir']);
    const available = existsSync(dir) ? readdirSync(dir).filter((n) => statSync(path.join(dir, n)).isDirectory()).sort() : [];
    if (!/^[a-z0-9][a-z0-9._-]*$/.test(args.template) || !available.includes(args.template)) {
      throw new CliError('NOT_FOUND', `no template '${args.template}' in ${dir}`, available.length ? `the templates: ${available.join(', ')}` : 'pass --templates-dir <dir>');
    }
    const src = path.join(dir, args.template);
    // A template mirrors the workspace (templates/<name>/gatos/...); its other files (a README) stay behind.
    const files = listFiles(src, () => true).map((f) => path.relative(src, f).split(path.sep).join('/')).filter((f) => f.startsWith('gatos/'));
    if (files.length === 0) throw new CliError('NOT_FOUND', `template '${args.template}' has no gatos/ folder`, 'a template mirrors the workspace: templates/<name>/gatos/...');
    const clashes = files.filter((f) => existsSync(path.join(ws.root, f)));
    if (clashes.length && !args.force) throw new CliError('USAGE', `these files exist already: ${clashes.join(', ')}`, 'pass --force to overwrite them');
    for (const f of files) cpSync(path.join(src, f), path.join(ws.root, f));
    for (const f of files) process.stdout.write(`wrote ${f}\n`);
    process.stdout.write(`template '${args.template}' is in place; review it, then gatos policy publish\n`);
  },
};

interface PublishArgs extends SignerArgs {
  'dry-run': boolean;
  json: boolean;
}

export const policyPublishCommand: CommandModule<object, PublishArgs> = {
  command: 'publish',
  describe: 'Compile the workspace into a policy bundle, commit it and make it active',
  builder: (y) => y.option('dry-run', { type: 'boolean', default: false, describe: 'build and print the bundle id without writing' }).options(SIGNER_OPTIONS).options(JSON_OPTION),
  handler: async (args) => {
    const ws = workspace();
    const files = new Map<string, Uint8Array>();
    for (const dir of ['gatos/policies', 'gatos/folds', 'gatos/trust', 'gatos/config']) for (const [p, b] of must(readFolder(ws, dir))) files.set(p, b);
    const built = buildBundle(files);
    if (!built.ok) {
      for (const d of built.diagnostics) {
        const src = files.get(d.location.file);
        process.stderr.write(`${formatDiagnostic(d, src ? decodeUtf8(src) : undefined)}\n`);
      }
      throw CliError.from(built.error, EXIT.USAGE);
    }
    for (const d of built.warnings) process.stderr.write(`${formatDiagnostic(d)}\n`);
    const b = built.bundle;
    const folds = b.manifest.folds.map((f) => ({ id: f.id, fold_root: f.foldRoot }));
    if (args['dry-run'] && args.json) {
      printJson({ published: false, bundle: b.id, policy_code_root: b.manifest.policyCodeRoot, folds });
      return;
    }
    if (args['dry-run']) {
      process.stdout.write(`bundle ${b.id}\npolicy_code_root = ${b.manifest.policyCodeRoot}\n`);
      return;
    }
    const actor = args.as ?? process.env.GATOS_ACTOR;
    const t = now();
    const r = await withRepo(ws, async (repo) => must(await publishBundle(repo, b, { ...(actor ? { actor } : {}), now: t })));
    if (args.json) {
      printJson({ published: r.changed, bundle: b.id, commit: r.commit, policy_code_root: b.manifest.policyCodeRoot, folds });
      return;
    }
    if (!r.changed) {
      process.stdout.write(`nothing to publish: the active bundle ${r.commit} already holds bundle ${b.id}\n`);
      return;
    }
    process.stdout.write(`published bundle ${b.id}\ncommit ${r.commit} is now refs/gatos/policies/active\npolicy_code_root = ${b.manifest.policyCodeRoot}\n`);
    for (const f of b.manifest.folds) process.stdout.write(`fold ${f.id}: ${f.foldRoot}\n`);
  },
};
