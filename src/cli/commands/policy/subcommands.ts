/** The subcommands of `gatos policy`; later issues add theirs here. */
import type { CommandModule } from 'yargs';
import { policyExplainCommand } from './explain';
import { policyTestCommand } from './test';
import { policyInitCommand, policyPublishCommand } from './producer';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs's own type for a heterogeneous command list
export const policySubcommands: CommandModule<any, any>[] = [policyTestCommand, policyExplainCommand];
policySubcommands.push(policyInitCommand, policyPublishCommand);
