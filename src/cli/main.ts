/**
 * The `gatos` command line (also `git gatos` when installed as git-gatos).
 * Unknown commands and bad flags exit 2 with a clear message; a user's
 * mistake is printed as code, message and hint, never as a stack trace.
 */
import path from 'node:path';
import yargs from 'yargs';
import { VERSION } from '../core/version';
import { commands } from './commands';
import { CliError, EXIT } from './errors';
import { CLI_LOADED } from './loaded';

/**
 * Appended to the bash completion script: git's own completion calls
 * `_git_<command>` for `git <command> <TAB>`, so `git gatos <TAB>` asks
 * gatos for the words after `gatos`, as the gatos completion does.
 */
const GIT_GATOS_BASH_COMPLETION = `# git gatos <TAB>: git's bash completion calls _git_gatos.
_git_gatos()
{
    local i start=0 type_list
    for ((i = 1; i < cword; i++)); do
        if [ "\${words[i]}" = gatos ]; then start=$i; break; fi
    done
    type_list=$(gatos --get-yargs-completions gatos "\${words[@]:start+1:cword-start}")
    __gitcomp "$type_list"
}
`;

/** Thrown from yargs' fail handler so a usage error stops the run before any handler starts. */
class UsageFailure extends Error {}

export async function main(argv: string[]): Promise<number> {
  const invokedAs = path.basename(process.argv[1] ?? 'gatos');
  // The completion script completes `gatos` (a shell function cannot be named after 'git gatos').
  const scriptName = invokedAs.startsWith('git-gatos') && argv[0] !== 'completion' ? 'git gatos' : 'gatos';
  const parser = yargs(argv)
    .scriptName(scriptName)
    .usage(`${scriptName} <command> [options]\n\nServer-side push-gate and client tools for GATOS (Git As The Operating Surface).`)
    .command(commands)
    .demandCommand(1, 'name a command; see the list above')
    .recommendCommands()
    .strict()
    .help()
    .alias('help', 'h')
    .version('version', 'Show the version number', `gatos ${VERSION}`)
    .completion('completion', 'Print a shell completion script (bash or zsh): gatos completion >> ~/.bashrc')
    .wrap(null)
    // --help and --version return to main (status 0) instead of exiting: the build renders the man pages in-process.
    .exitProcess(false)
    .epilogue('Exit status: 0 success, 1 a negative answer (denied, not verified), 2 bad usage or input, 3 internal failure.')
    .fail((msg, e) => {
      throw e ?? new UsageFailure(msg);
    });
  try {
    await parser.parseAsync();
    if (argv[0] === 'completion' && !(process.env.SHELL ?? '').includes('zsh')) process.stdout.write(GIT_GATOS_BASH_COMPLETION);
  } catch (e) {
    if (e instanceof UsageFailure) {
      process.stderr.write(`${scriptName}: error: ${e.message}\n  hint: run '${scriptName} --help' for the commands and their options\n`);
      return EXIT.USAGE;
    }
    return report(e);
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
}

/**
 * `gatos audit log | head`: when the reader of stdout goes away, stop at once
 * with status 0 and no message, as git does (the reader chose to stop). Any
 * other failure to write stdout (a full disk) is reported with status 3.
 */
function stopQuietlyWhenTheReaderLeaves(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(EXIT.OK);
    try {
      process.stderr.write(`error[GATE_ERROR]: cannot write to standard output: ${e.message}\n  hint: check the file or pipe standard output goes to\n`);
    } finally {
      process.exit(EXIT.INTERNAL);
    }
  });
  // A closed stderr must not turn into a stack trace either: the command goes on and its status stands.
  process.stderr.on('error', () => undefined);
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

// Run directly (node dist/gatos.bundle.cjs) or through the loader (dist/gatos.cjs); the build renders man pages by calling main.
if (require.main === module || (globalThis as Record<symbol, unknown>)[CLI_LOADED] === true) {
  stopQuietlyWhenTheReaderLeaves();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.exitCode = report(e);
    },
  );
}
