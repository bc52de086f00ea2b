/**
 * `gatos fold run --fold <compiled|source> --events <file>`: fold a stream
 * of events and print the emitted state and its state_root. The fold is a
 * compiled `.rgf` or a source (compiled in memory); events are JSON Lines
 * (see src/fold/jsonl.ts). Reading events straight from a journal ref needs
 * the event-in-commit encoding, which comes with the producer.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { decodeUtf8 } from '../../core/bytes';
import { formatDiagnostic, type Diagnostic } from '../../core/diagnostic';
import type { GateError } from '../../core/result';
import { compileFoldSource, foldSourceKind } from '../../fold/compile';
import type { FoldRuntime } from '../../fold/contract';
import { parseEventLines } from '../../fold/jsonl';
import { loadCompiledFold } from '../../fold/load';
import { stateRoot } from '../../fold/state-root';
import { CliError, EXIT } from '../errors';
import { foldProducerSubcommands } from './fold-producer';

export function readFoldBytes(file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch {
    throw new CliError('NOT_FOUND', `${file}: cannot read the file`, 'check the path');
  }
}

export function readFoldText(file: string): string {
  const text = decodeUtf8(readFoldBytes(file));
  if (text === undefined) throw new CliError('COMPILE_ERROR', `${file}: the file is not valid UTF-8`, 'save the source as UTF-8');
  return text;
}

export function printFoldDiagnostics(diagnostics: readonly Diagnostic[], file: string, text: string): void {
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d, d.location.file === file ? text : undefined)}\n`);
}

/** A runtime from a compiled fold or a source compiled on the spot. */
function loadFold(file: string): FoldRuntime {
  if (foldSourceKind(file) !== undefined) {
    const text = readFoldText(file);
    const c = compileFoldSource(text, file);
    if (!c.ok) {
      printFoldDiagnostics(c.diagnostics, file, text);
      throw new CliError('COMPILE_ERROR', `${file} does not compile`, 'fix the errors above');
    }
    printFoldDiagnostics(c.warnings, file, text);
    return expectRuntime(loadCompiledFold(c.bytes), file);
  }
  return expectRuntime(loadCompiledFold(readFoldBytes(file)), file);
}

function expectRuntime(r: { ok: true; value: FoldRuntime } | { ok: false; error: GateError }, file: string): FoldRuntime {
  if (r.ok) return r.value;
  throw new CliError(r.error.code, `${file}: ${r.error.message}`, r.error.hint);
}

interface RunArgs {
  fold: string;
  events: string;
  json: boolean;
}

const runCommand: CommandModule<object, RunArgs> = {
  command: 'run',
  describe: 'Fold events and print the emitted files, state_root, fold_root and engine id',
  builder: (y) =>
    y
      .option('fold', { type: 'string', demandOption: true, describe: 'a compiled .rgf, or a .yaml/.lua source' })
      .option('events', { type: 'string', demandOption: true, describe: 'a JSON Lines file of events' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object instead of text' }),
  handler: (args) => {
    const fold = loadFold(args.fold);
    if (!existsSync(args.events)) {
      const hint = args.events.startsWith('refs/')
        ? 'reading events from a journal ref is not available yet; export them as JSON Lines'
        : 'name a JSON Lines file with one event per line';
      throw new CliError('NOT_FOUND', `${args.events}: no such file`, hint);
    }
    const text = decodeUtf8(readFoldBytes(args.events));
    if (text === undefined) throw new CliError('ENCODING_INVALID', `${args.events}: the file is not valid UTF-8`, 'events are UTF-8 JSON Lines');
    const events = parseEventLines(text, args.events);
    if (!events.ok) throw CliError.from(events.error);
    const state = fold.step(fold.init(), events.value);
    if (!state.ok) throw CliError.from(state.error);
    const files = fold.emit(state.value);
    if (!files.ok) throw CliError.from(files.error);
    const root = stateRoot(files.value);
    if (!root.ok) throw CliError.from(root.error);
    if (args.json) {
      const out = {
        files: Object.fromEntries([...files.value].map(([p, b]) => [p, decodeUtf8(b) ?? ''])),
        state_root: root.value,
        fold_root: fold.foldRoot,
        engine: fold.engine,
        events: events.value.length,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    for (const [p, b] of files.value) process.stdout.write(`--- ${p}\n${decodeUtf8(b) ?? ''}\n`);
    process.stdout.write(`state_root = ${root.value}\nfold_root = ${fold.foldRoot}\nengine = ${fold.engine}\nevents = ${events.value.length}\n`);
  },
};

export const foldCommand: CommandModule<object, object> = {
  command: 'fold <command>',
  describe: 'Run and check folds: fold run | checkpoint | verify',
  builder: (y) => y.command(runCommand as CommandModule<object, RunArgs>).command(foldProducerSubcommands).demandCommand(1, 'name a fold command: run, checkpoint or verify'),
  handler: () => {
    throw new CliError('USAGE', 'name a fold command: run, checkpoint or verify', "try 'gatos fold --help'", EXIT.USAGE);
  },
};
