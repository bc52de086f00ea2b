/**
 * `gatos fold run --fold <compiled|source> --events <file|ref>`: fold a
 * stream of events and print the emitted state and its state_root. The fold
 * is a compiled `.rgf` or a source (compiled in memory); events are JSON Lines
 * (see src/fold/jsonl.ts) or the signed events on journal refs of the clone
 * (one ref, or a glob such as refs/gatos/journal/finance/**).
 */
import { JOURNAL_PREFIX } from '../../actors';
import { appendAll } from '../../core/arrays';
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
import { readWindow } from '../../checkpoint/window';
import type { FoldEvent } from '../../fold/contract';
import { anyRefMatcher, checkRefGlob } from '../../fold/glob';
import { CliError, EXIT } from '../errors';
import { foldProducerSubcommands } from './fold-producer';
import { must, withRepo, workspace } from './producer/common';

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
    return expectRuntime(loadCompiledFold(c.bytes, { origin: c.origin }), file);
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
      .option('events', { type: 'string', demandOption: true, describe: 'a JSON Lines file of events, or journal refs of this clone: one ref or a glob (refs/gatos/journal/<ns>/**)' })
      .option('json', { type: 'boolean', default: false, describe: 'print one JSON object instead of text' }),
  handler: async (args) => {
    const fold = loadFold(args.fold);
    const events = isRefSpec(args.events) ? await eventsFromRefs(args.events) : eventsFromFile(args.events);
    const state = fold.step(fold.init(), events);
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
        events: events.length,
      };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      return;
    }
    for (const [p, b] of files.value) process.stdout.write(`--- ${p}\n${decodeUtf8(b) ?? ''}\n`);
    process.stdout.write(`state_root = ${root.value}\nfold_root = ${fold.foldRoot}\nengine = ${fold.engine}\nevents = ${events.length}\n`);
  },
};

function isRefSpec(spec: string): boolean {
  return spec.startsWith('refs/') && !existsSync(spec);
}

function eventsFromFile(file: string): FoldEvent[] {
  if (!existsSync(file)) throw new CliError('NOT_FOUND', `${file}: no such file`, 'name a JSON Lines file with one event per line, or a journal ref (refs/gatos/journal/...)');
  const text = decodeUtf8(readFoldBytes(file));
  if (text === undefined) throw new CliError('ENCODING_INVALID', `${file}: the file is not valid UTF-8`, 'events are UTF-8 JSON Lines');
  const events = parseEventLines(text, file);
  if (!events.ok) throw CliError.from(events.error);
  return events.value;
}

/** Every event on the journal refs `spec` names, from the clone's repository (the fold puts them in its one order). */
async function eventsFromRefs(spec: string): Promise<FoldEvent[]> {
  must(checkRefGlob(spec));
  const matches = anyRefMatcher([spec]);
  return withRepo(workspace(false), async (repo) => {
    const refs = must(await repo.forEachRef([JOURNAL_PREFIX])).filter((r) => matches(r.ref));
    if (refs.length === 0) throw new CliError('NOT_FOUND', `no journal ref matches ${spec}`, 'list journals with: git for-each-ref refs/gatos/journal/');
    const out: FoldEvent[] = [];
    for (const r of refs) appendAll(out, must(await readWindow(repo, r.ref, null, r.id)));
    return out;
  });
}

export const foldCommand: CommandModule<object, object> = {
  command: 'fold <command>',
  describe: 'Run and check folds: fold run | checkpoint | verify',
  builder: (y) => y.command(runCommand as CommandModule<object, RunArgs>).command(foldProducerSubcommands).demandCommand(1, 'name a fold command: run, checkpoint or verify'),
  handler: () => {
    throw new CliError('USAGE', 'name a fold command: run, checkpoint or verify', "try 'gatos fold --help'", EXIT.USAGE);
  },
};
