/** `gatos policyc <src.rgs|dir> [-o <out.rgc>]`: compile a policy and print its root. */
import { statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { compilePolicy } from '../../rgs';
import { CliError, EXIT, setExitCode } from '../errors';
import { printDiagnostics, readSources } from './policy/sources';
import { JSON_OPTION, printJson } from '../json';

interface Args {
  src: string;
  output?: string;
  json: boolean;
}

/**
 * Where the .rgc goes when `-o` is not given: `p.rgs` -> `p.rgc` beside it;
 * a directory `d` -> `d.rgc` beside the directory, never inside it, so the
 * output is not mistaken for a source by the next compile or by
 * `gatos policy publish` (which reads only the workspace folders).
 */
export function defaultOutput(src: string): string {
  const abs = path.resolve(src);
  let isDir = false;
  try {
    isDir = statSync(abs).isDirectory();
  } catch {
    // readSources reports the missing source with its own message.
  }
  if (!isDir) return abs.endsWith('.rgs') ? `${abs.slice(0, -'.rgs'.length)}.rgc` : `${abs}.rgc`;
  if (path.dirname(abs) === abs) throw new CliError('USAGE', `cannot choose an output file for ${src}`, "name one with -o <out.rgc>");
  return `${abs}.rgc`;
}

export const policycCommand: CommandModule<object, Args> = {
  command: 'policyc <src>',
  describe: 'Compile .rgs policy sources (a file or a directory) to canonical .rgc bytes and print policy_root',
  builder: (y) =>
    y
      .positional('src', { type: 'string', demandOption: true, describe: 'a .rgs file or a directory of .rgs files' })
      .option('output', { alias: 'o', type: 'string', describe: 'where to write the .rgc bytes (default: <file>.rgc for <file>.rgs, <dir>.rgc beside a directory)' })
      .options(JSON_OPTION),
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
    for (const a of r.value.assigned) process.stderr.write(`policyc: ${a.location.file}:${a.location.line}:${a.location.column}: a rule without id is ${a.id}\n`);
    const output = args.output ?? defaultOutput(args.src);
    if (output === '') throw new CliError('USAGE', '-o needs a file name', 'write -o <out.rgc>, or leave -o out to write beside the source');
    try {
      writeFileSync(output, r.value.bytes);
    } catch (e) {
      throw new CliError('NOT_FOUND', `cannot write ${output}: ${e instanceof Error ? e.message : String(e)}`, 'check that the directory exists and is writable', EXIT.INTERNAL);
    }
    if (args.output === undefined) process.stderr.write(`policyc: wrote ${output}\n`);
    if (args.json) printJson({ policy_root: r.value.root, output });
    else process.stdout.write(`policy_root = ${r.value.root}\n`);
  },
};
