import type { CommandModule } from 'yargs';
import { VERSION } from '../../core/version';

export const versionCommand: CommandModule = {
  command: 'version',
  describe: 'Print the gate version and the versions of its engines',
  handler: () => {
    process.stdout.write(`gatos ${VERSION}\n`);
  },
};
