/**
 * Differential test: a generated corpus of integer-only programs must print
 * exactly what PUC Lua 5.4 prints. Integers are exact 64-bit in both, so any
 * difference is a bug in EchoLua (or a documented difference the generator
 * must avoid).
 */
import { runEchoLuaScript } from '../../../src/fold/echolua';
import { describeIf, required } from '../../helpers/requires';
import { tmpDir } from '../../helpers/tmp';
import { generateProgram } from './diff/generator';
import { haveLua, runOracle } from './diff/oracle';

const CORPUS_SIZE = 400;
const SEED = 20240501;

function toLatin1(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

const lua = required('lua5.4 (the PUC Lua oracle of the differential test)', haveLua(), 'lua5.4');

describeIf(lua, 'lua5.4 is not installed')('EchoLua vs PUC Lua 5.4 on a generated corpus', () => {
  const programs = Array.from({ length: CORPUS_SIZE }, (_, i) => generateProgram(SEED, i));
  let oracle: ReturnType<typeof runOracle>;

  beforeAll(() => {
    oracle = runOracle(programs, tmpDir('echolua-oracle-'));
  });

  test(`all ${CORPUS_SIZE} programs print what lua5.4 prints`, () => {
    const failures: string[] = [];
    let agreed = 0;
    programs.forEach((src, i) => {
      const ours = runEchoLuaScript(src, `program${i}.lua`);
      const theirs = oracle[i] as { output: string; ok: boolean };
      const ourOk = ours.error === undefined;
      const same = ourOk === theirs.ok && toLatin1(ours.output) === theirs.output;
      if (same && ourOk) agreed++;
      else if (failures.length < 3) {
        failures.push(`program ${i} (ours ok=${ourOk}, lua ok=${theirs.ok})\n${src}\n--- ours\n${ours.output}${ourOk ? '' : JSON.stringify(ours.error)}\n--- lua5.4\n${theirs.output}`);
      }
    });
    console.log(`[echolua] differential corpus: ${agreed}/${CORPUS_SIZE} programs agree with lua5.4 and run without error`);
    expect(failures).toEqual([]);
    expect(agreed).toBe(CORPUS_SIZE);
  });

  test('the corpus covers the features it claims', () => {
    const all = programs.join('\n');
    for (const feature of ['//', ' % ', 'dpairs(', 'ipairs(', 'function(', 'select("#"', ':sub(', ':rep(', 'dsort(', 'pcall(', 'while ', 'repeat ', ' << ', 'string.format(', 'table.concat(', 'local function']) {
      expect(all).toContain(feature);
    }
  });
});
