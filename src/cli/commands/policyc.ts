/** `gatos policyc <src.rgs|dir> -o <out.rgc>`: compile a policy and print its root. */
import { writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { compilePolicy } from '../../rgs';
import { CliError, EXIT, setExitCode } from '../errors';
import { printDiagnostics, readSources } from './policy/sources';

interface Args {
  src: string;
  output: string;
}

export const policycCommand: CommandModule<object, Args> = {
  command: 'policyc <src>',
  describe: 'Compile .rgs policy sources (a file or a directory) to canonical .rgc bytes and print policy_root',
  builder: (y) =>
    y
      .positional('src', { type: 'string', demandOption: true, describe: 'a .rgs file or a directory of .rgs files' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'where to write the .rgc bytes' }),
  handler: (args) => {
    const sources = readSources(args.src);
    const r = compilePolicy(sources);
    if (!r.ok) {
      printDiagnostics(r.error, sources);
      const n = r.error.filter((d) => d.severity === 'error').length;
      process.stderr.write(`policyc: ${n} error${n === 1 ? '' : 's'}; nothing written\n`);
      setExitCode(EXIT.USAGE);
      return;
    }
    printDiagnostics(r.value.warnings, sources);
    try {
      writeFileSync(args.output, r.value.bytes);
    } catch (e) {
      throw new CliError('NOT_FOUND', `cannot write ${args.output}: ${e instanceof Error ? e.message : String(e)}`, 'check that the directory exists and is writable', EXIT.INTERNAL);
    }
    process.stdout.write(`policy_root = ${r.value.root}\n`);
  },
};
