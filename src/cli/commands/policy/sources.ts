/**
 * Reads policy sources from the disk for the CLI: one .rgs file, or every
 * .rgs file under a directory (sorted by path, so the set is the same on
 * every machine; the compiled bytes do not depend on file order anyway).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatDiagnostic, type Diagnostic } from '../../../core/diagnostic';
import type { SourceFile } from '../../../rgs';
import { CliError } from '../../errors';

export function listFiles(dir: string, accept: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && accept(entry.name)) out.push(full);
    }
  };
  walk(dir);
  return out;
}

export function readSources(target: string): SourceFile[] {
  let isDir: boolean;
  try {
    isDir = statSync(target).isDirectory();
  } catch {
    throw new CliError('NOT_FOUND', `${target}: no such file or directory`, 'name a .rgs file or a directory holding .rgs files');
  }
  const files = isDir ? listFiles(target, (n) => n.endsWith('.rgs')) : [target];
  if (files.length === 0) throw new CliError('NOT_FOUND', `${target}: no .rgs files found`, 'policy sources end in .rgs');
  return files.map((file) => ({ file, text: readFileSync(file, 'utf8') }));
}

/** Prints diagnostics with caret snippets to stderr. */
export function printDiagnostics(diagnostics: readonly Diagnostic[], sources: readonly SourceFile[]): void {
  const byFile = new Map(sources.map((s) => [s.file, s.text]));
  for (const d of diagnostics) process.stderr.write(`${formatDiagnostic(d, byFile.get(d.location.file))}\n`);
}
