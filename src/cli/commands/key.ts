/** `gatos key new --actor <actor>`: an ed25519 key pair; the private key stays outside the repository. */
import type { CommandModule } from 'yargs';
import { formatPublicKey } from '../../canon/ed25519';
import { newKey } from '../../keys';
import { findWorkspace } from '../../workspace/workspace';
import { CliError } from '../errors';
import { keyDir, must } from './producer/common';
import { JSON_OPTION, printJson } from '../json';

interface NewArgs {
  actor: string;
  'key-dir'?: string;
  rotate: boolean;
  json: boolean;
}

const newCommand: CommandModule<object, NewArgs> = {
  command: 'new',
  describe: 'Make an ed25519 key for an actor; prints the public key as ed25519:<hex>',
  builder: (y) =>
    y
      .option('actor', { type: 'string', demandOption: true, describe: 'the actor, e.g. user:alice' })
      .option('key-dir', { type: 'string', describe: 'where to keep the private key (default: $GATOS_KEY_DIR, else $XDG_CONFIG_HOME/gatos/keys, else ~/.config/gatos/keys)' })
      .option('rotate', { type: 'boolean', default: false, describe: 'replace an existing key, keeping the old file as <name>.<16 hex>.key' })
      .options(JSON_OPTION),
  handler: (args) => {
    const ws = findWorkspace(process.cwd());
    const r = must(newKey({ keyDir: keyDir(args), actor: args.actor, rotate: args.rotate, forbiddenRoots: ws.ok ? [ws.value.root] : [] }));
    process.stderr.write(`private key for ${args.actor} written to ${r.file} (mode 0600)\n`);
    if (r.rotatedTo) process.stderr.write(`the previous key was kept as ${r.rotatedTo}; publish the new one: gatos trust add ${args.actor} <public key>\n`);
    if (args.json) printJson({ actor: args.actor, public_key: formatPublicKey(r.key.publicKey), file: r.file, previous_key_file: r.rotatedTo ?? null });
    else process.stdout.write(`${formatPublicKey(r.key.publicKey)}\n`);
  },
};

export const keyCommand: CommandModule = {
  command: 'key <command>',
  describe: 'Manage signing keys: key new --actor <actor>',
  builder: (y) => y.command(newCommand as CommandModule<object, NewArgs>).demandCommand(1, 'name a key command: new'),
  handler: () => {
    throw new CliError('USAGE', 'name a key command: new', "try 'gatos key new --help'");
  },
};
