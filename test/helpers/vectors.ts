/**
 * The published test vectors live beside the repository in ../shared/vectors
 * (the draft spec in ../shared/spec) and are never copied into it. Where
 * that folder is absent the suites that need it are skipped, and say so.
 *
 * This is the one exception to the skip policy of test/helpers/requires.ts
 * (missing servers and oracles fail under CI=true), and it holds under CI
 * too: by the founders' rule a fresh clone that lacks ../shared skips these
 * suites with a message, and CI runs in a fresh clone whose copy of shared/
 * may lack them. Failing there would fail every clean checkout for a folder
 * the repository does not own.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

export const VECTORS_DIR = path.resolve(__dirname, '../../../shared/vectors');
export const SPEC_DIR = path.resolve(__dirname, '../../../shared/spec');

export const haveVectors = existsSync(VECTORS_DIR);

export function vectorPath(...parts: string[]): string {
  return path.join(VECTORS_DIR, ...parts);
}

export function readVector(...parts: string[]): string {
  return readFileSync(vectorPath(...parts), 'utf8');
}

export function readVectorJson<T = unknown>(...parts: string[]): T {
  return JSON.parse(readVector(...parts)) as T;
}

/** describe() when the vectors are there, otherwise a skipped suite with a message that says why. */
export function describeWithVectors(name: string, fn: () => void): void {
  if (haveVectors) {
    describe(name, fn);
    return;
  }
  describe.skip(`${name} (skipped: ${VECTORS_DIR} is absent; published vectors are not part of a clone)`, fn);
  console.warn(`[vectors] skipping '${name}': ${VECTORS_DIR} not found`);
}

/**
 * test() taking the path of a file in ../shared when it exists, else a
 * skipped test whose name says which file is absent (see above).
 */
export function testWithShared(file: string): (name: string, fn: (file: string) => void) => void {
  return (name, fn) => {
    if (existsSync(file)) {
      test(name, () => fn(file));
      return;
    }
    test.skip(`${name} (skipped: ${file} is absent; the shared folder is not part of a clone)`, () => fn(file));
    console.warn(`[vectors] skipping '${name}': ${file} not found`);
  };
}

/** Prints a count line that shows in the test output, e.g. "dag-cbor fixtures: 128/128 round-trip". */
export function reportCount(label: string, passed: number, total: number): void {
  console.log(`[vectors] ${label}: ${passed}/${total}`);
}
