/**
 * `gatos policy <subcommand>`. The subcommands live in ./policy/subcommands
 * as a list, so new ones (init, publish) are added there in one line.
 */
import type { CommandModule } from 'yargs';
import { policySubcommands } from './policy/subcommands';

export const policyCommand: CommandModule = {
  command: 'policy <command>',
  describe: 'Work with .rgs policies: test fixtures, explain decisions',
  builder: (y) => y.command(policySubcommands).demandCommand(1, 'name a policy subcommand'),
  handler: () => undefined,
};
