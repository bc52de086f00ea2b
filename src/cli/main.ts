/**
 * The `gatos` command line (also `git gatos` when installed as git-gatos).
 * Unknown commands and bad flags exit 2 with a clear message; a user's
 * mistake is printed as code, message and hint, never as a stack trace.
 */
import path from 'node:path';
import yargs from 'yargs';
import { commands } from './commands';
import { CliError, EXIT } from './errors';

/** Thrown from yargs' fail handler so a usage error stops the run before any handler starts. */
class UsageFailure extends Error {}

export async function main(argv: string[]): Promise<number> {
  const invokedAs = path.basename(process.argv[1] ?? 'gatos');
  const scriptName = invokedAs.startsWith('git-gatos') ? 'git gatos' : 'gatos';
  const parser = yargs(argv)
    .scriptName(scriptName)
    .usage(`${scriptName} <command> [options]\n\nServer-side push-gate and client tools for GATOS (Git As The Operating Surface).`)
    .command(commands)
    .demandCommand(1, 'name a command; see the list above')
    .recommendCommands()
    .strict()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(null)
    .epilogue('Exit status: 0 success, 1 a negative answer (denied, not verified), 2 bad usage or input, 3 internal failure.')
    .fail((msg, e) => {
      throw e ?? new UsageFailure(msg);
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    if (e instanceof UsageFailure) {
      process.stderr.write(`${scriptName}: error: ${e.message}\n  hint: run '${scriptName} --help' for the commands and their options\n`);
      return EXIT.USAGE;
    }
    return report(e);
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
}

function report(e: unknown): number {
  if (e instanceof CliError) {
    process.stderr.write(`error[${e.code}]: ${e.message}\n`);
    if (e.hint) process.stderr.write(`  hint: ${e.hint}\n`);
    return e.exitCode;
  }
  const detail = e instanceof Error ? (e.stack ?? e.message) : String(e);
  process.stderr.write(`internal error[GATE_ERROR]: ${detail}\n  hint: this is a bug in gatos; please report it with the command you ran\n`);
  return EXIT.INTERNAL;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.exitCode = report(e);
    },
  );
}
