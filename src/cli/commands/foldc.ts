/**
 * `gatos foldc <src.yaml|src.lua> -o <out.rgf>`: compile a fold, write the
 * .rgf and, beside it as the FAQ shows, `<out.rgf>.sha` holding the line
 * `fold_root = sha256:<hex>`; print fold_root and the engine id.
 */
import { writeFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { compileFoldSource } from '../../fold/compile';
import { FOLD_ENGINE } from '../../fold/engine-id';
import { CliError, EXIT, setExitCode } from '../errors';
import { printFoldDiagnostics, readFoldText } from './fold';
import { JSON_OPTION, printJson } from '../json';

interface Args {
  src: string;
  output: string;
  json: boolean;
}

export const foldcCommand: CommandModule<object, Args> = {
  command: 'foldc <src>',
  describe: 'Compile a fold (.yaml or .lua) to canonical .rgf bytes (and <out>.rgf.sha with its fold_root) and print fold_root and the engine id',
  builder: (y) =>
    y
      .positional('src', { type: 'string', demandOption: true, describe: 'a fold source: folds/<name>.yaml or folds/<name>.lua' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'where to write the .rgf bytes' })
      .options(JSON_OPTION),
  handler: (args) => {
    const text = readFoldText(args.src);
    const r = compileFoldSource(text, args.src);
    if (!r.ok) {
      printFoldDiagnostics(r.diagnostics, args.src, text);
      const n = r.diagnostics.filter((d) => d.severity === 'error').length;
      process.stderr.write(`foldc: ${n} error${n === 1 ? '' : 's'}; nothing written\n`);
      setExitCode(EXIT.USAGE);
      return;
    }
    printFoldDiagnostics(r.warnings, args.src, text);
    try {
      writeFileSync(args.output, r.bytes);
      writeFileSync(`${args.output}.sha`, `fold_root = ${r.foldRoot}\n`);
    } catch (e) {
      throw new CliError('NOT_FOUND', `cannot write ${args.output}: ${e instanceof Error ? e.message : String(e)}`, 'check that the directory exists and is writable', EXIT.INTERNAL);
    }
    if (args.json) printJson({ fold_root: r.foldRoot, engine: FOLD_ENGINE, output: args.output });
    else process.stdout.write(`fold_root = ${r.foldRoot}\nengine = ${FOLD_ENGINE}\n`);
  },
};
