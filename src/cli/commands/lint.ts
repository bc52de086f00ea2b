/**
 * `gatos lint <paths...>`: the EchoLua linter over .lua fold sources (files,
 * or directories searched for *.lua). Errors and warnings are printed at
 * file:line:col with a caret; exit 2 when any error is found, 0 otherwise.
 * `--json` prints the diagnostics as one JSON array instead.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { formatDiagnostic, type Diagnostic } from '../../core/diagnostic';
import { lintEchoLua } from '../../fold/echolua';
import { CliError, EXIT, setExitCode } from '../errors';

interface Args {
  paths: string[];
  json: boolean;
}

function luaFiles(p: string): string[] {
  let st;
  try {
    st = statSync(p);
  } catch {
    throw new CliError('NOT_FOUND', `no such file or directory: ${p}`, 'name .lua fold sources or directories that contain them');
  }
  if (st.isFile()) return [p];
  return readdirSync(p)
    .sort()
    .flatMap((name) => {
      const child = path.join(p, name);
      return statSync(child).isDirectory() ? luaFiles(child) : name.endsWith('.lua') ? [child] : [];
    });
}

function readText(file: string): string {
  const bytes = readFileSync(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CliError('USAGE', `${file} is not UTF-8 text`, 'save fold sources as UTF-8');
  }
}

export const lintCommand: CommandModule<object, Args> = {
  command: 'lint <paths..>',
  describe: 'Check EchoLua fold sources for anything that could make a fold depend on the host',
  builder: (y) =>
    y
      .positional('paths', { type: 'string', array: true, demandOption: true, describe: '.lua files or directories' })
      .option('json', { type: 'boolean', default: false, describe: 'print the diagnostics as a JSON array' }),
  handler: (args) => {
    const files = args.paths.flatMap(luaFiles);
    if (files.length === 0) throw new CliError('NOT_FOUND', 'no .lua files found', 'name .lua fold sources or directories that contain them');
    const all: Diagnostic[] = [];
    for (const file of files) {
      const text = readText(file);
      const diagnostics = lintEchoLua(text, file);
      all.push(...diagnostics);
      if (!args.json) for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d, text)}\n`);
    }
    const errors = all.filter((d) => d.severity === 'error').length;
    const warnings = all.length - errors;
    if (args.json) process.stdout.write(`${JSON.stringify(all)}\n`);
    else process.stderr.write(`lint: ${files.length} file${files.length === 1 ? '' : 's'}, ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}\n`);
    if (errors > 0) setExitCode(EXIT.USAGE);
  },
};
