/**
 * Every command of the CLI. Each concern owns its own file; this list is the
 * only place that knows them all (the bundler needs static imports).
 */
import type { CommandModule } from 'yargs';
import { versionCommand } from './version';
import { policycCommand } from './policyc';
import { policyCommand } from './policy';
import { foldcCommand } from './foldc';
import { foldCommand } from './fold';
import { lintCommand } from './lint';
import { producerCommands } from './producer/commands';
import { installCommand } from './install';
import { gateCommand } from './gate';
import { configCommand } from './config';
import { auditCommand } from './audit';
import { demoCommand } from './demo';
import { doctorCommand, repairCommand } from './doctor';
import { epochCommand } from './epoch';
import { busCommand } from './bus';
import { serveCommand } from './serve';
import { govCommand } from './gov';
import { proveCommand, verifyCommand } from './proof';
import { evidenceCommand } from './evidence';
import { sessionCommand } from './session';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs's own type for a heterogeneous command list
export const commands: CommandModule<any, any>[] = [versionCommand, policycCommand, policyCommand, foldcCommand, foldCommand, lintCommand];
commands.push(...producerCommands);
commands.push(installCommand, gateCommand, auditCommand);
commands.push(configCommand);
commands.push(demoCommand);
commands.push(doctorCommand, repairCommand);
commands.push(epochCommand);
commands.push(busCommand);
commands.push(serveCommand);
commands.push(govCommand);
commands.push(proveCommand, verifyCommand, evidenceCommand);
commands.push(sessionCommand);
