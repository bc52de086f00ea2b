/** The producer's top-level commands, registered in one line of ../index.ts. */
import type { CommandModule } from 'yargs';
import { eventCommand } from '../event';
import { initCommand } from '../init';
import { keyCommand } from '../key';
import { trustCommand } from '../trust';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs's own type for a heterogeneous command list
export const producerCommands: CommandModule<any, any>[] = [initCommand, keyCommand, trustCommand, eventCommand];
