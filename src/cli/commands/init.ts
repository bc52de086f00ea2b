/** `gatos init`: the GATOS workspace folders and an empty trust graph in the current clone. */
import type { CommandModule } from 'yargs';
import { initWorkspace } from '../../workspace/workspace';
import { JSON_OPTION, printJson } from '../json';
import { workspace } from './producer/common';

export const initCommand: CommandModule<object, { json: boolean }> = {
  command: 'init',
  describe: 'Create the GATOS workspace (gatos/policies, folds, trust, config) in this clone',
  builder: (y) => y.options(JSON_OPTION),
  handler: (args) => {
    const ws = workspace(false);
    const made = initWorkspace(ws);
    if (args.json) return printJson({ root: ws.root, created: made });
    if (made.length === 0) process.stdout.write(`the GATOS workspace in ${ws.root} is already set up\n`);
    for (const m of made) process.stdout.write(`created ${m}\n`);
    process.stdout.write('next: gatos key new --actor user:<you>, then gatos trust add\n');
  },
};
