/** The subcommands of `gatos policy`; later issues add theirs here. */
import type { CommandModule } from 'yargs';
import { policyExplainCommand } from './explain';
import { policyTestCommand } from './test';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs's own type for a heterogeneous command list
export const policySubcommands: CommandModule<any, any>[] = [policyTestCommand, policyExplainCommand];
