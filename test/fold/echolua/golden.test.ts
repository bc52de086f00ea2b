/**
 * Golden compiled bytes (see test/fixtures/echolua/golden/README.md), and one
 * golden derived by hand: the ELC tree of tiny.lua written out below.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeCanonical } from '../../../src/canon/cbor';
import { toHex } from '../../../src/core/bytes';
import { compileEchoLua } from '../../../src/fold/echolua';

const DIR = path.resolve(__dirname, '../../fixtures/echolua/golden');
const sources = readdirSync(DIR).filter((f) => f.endsWith('.lua')).sort();

function compileHex(file: string): string {
  const c = compileEchoLua(readFileSync(path.join(DIR, file), 'utf8'), file);
  if (!c.ok) throw new Error(c.error.map((d) => d.message).join('\n'));
  return toHex(c.value.bytes);
}

describe('golden compiled bytes', () => {
  test.each(sources)('%s compiles to its recorded bytes', (file) => {
    const hexFile = path.join(DIR, file.replace(/\.lua$/, '.hex'));
    const got = compileHex(file);
    if (process.env.GATOS_WRITE_GOLDEN === '1') writeFileSync(hexFile, `${got}\n`);
    expect(got).toBe(readFileSync(hexFile, 'utf8').trim());
  });

  test('tiny.lua is exactly the ELC tree written by hand', () => {
    const b = (s: string) => new TextEncoder().encode(s);
    const fn = (name: string, np: number, ns: number, body: unknown[]) => ['fn', { name, np, va: false, ns, boxed: [], up: [], body }];
    const elc = {
      v: 1,
      main: {
        name: 'main', np: 0, va: true, ns: 0, boxed: [], up: [],
        body: [
          ['set', [['g', 'inputs']], [['tbl', [['i', ['k', b('refs/gatos/journal/x/**')]]]]]],
          ['set', [['g', 'init']], [fn('init', 0, 0, [['ret', [['k', 1]]]])]],
          ['set', [['g', 'step']], [fn('step', 2, 2, [['ret', [['add', ['l', 0], ['k', 1]]]]])]],
          ['set', [['g', 'emit']], [fn('emit', 1, 1, [['ret', [['tbl', []]]]])]],
        ],
      },
    };
    const artifact = { format: 'gatos/fold', v: 1, kind: 'echolua', elc, inputs: ['refs/gatos/journal/x/**'] };
    expect(compileHex('tiny.lua')).toBe(toHex(encodeCanonical(artifact)));
  });
});
