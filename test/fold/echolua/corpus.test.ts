/**
 * Hand-written, realistic programs (test/fixtures/echolua/corpus/*.lua:
 * a ledger, top-k, a state machine, percentiles, string building) must print
 * exactly what lua5.4 prints. The generated corpus (differential.test.ts)
 * covers operators broadly; these cover how folds are actually written.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { runEchoLuaScript } from '../../../src/fold/echolua';
import { tmpDir } from '../../helpers/tmp';
import { luaOrSkip, runOracle } from './diff/oracle';

const DIR = path.resolve(__dirname, '../../fixtures/echolua/corpus');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.lua')).sort();
const toLatin1 = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');


(luaOrSkip('the hand-written corpus against lua5.4') ? describe : describe.skip)('hand-written programs print what lua5.4 prints', () => {
  const programs = FILES.map((f) => readFileSync(path.join(DIR, f), 'utf8'));
  let oracle: ReturnType<typeof runOracle>;
  beforeAll(() => {
    oracle = runOracle(programs, tmpDir('echolua-corpus-'));
  });

  test('the corpus has its five kinds of program', () => {
    expect(FILES).toEqual(['ledger.lua', 'machine.lua', 'percentiles.lua', 'strings.lua', 'topk.lua']);
  });

  test.each(FILES.map((f, i) => [f, i] as const))('%s', (file, i) => {
    const ours = runEchoLuaScript(programs[i] as string, file);
    const theirs = oracle[i] as { output: string; ok: boolean };
    expect(theirs.ok).toBe(true);
    expect(theirs.output.split('\n').length).toBeGreaterThan(3);
    expect({ error: ours.error, output: toLatin1(ours.output) }).toEqual({ error: undefined, output: theirs.output });
  });
});
