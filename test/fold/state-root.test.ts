import { readFileSync } from 'node:fs';
import path from 'node:path';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import fc from 'fast-check';
import { serializeStateTree, stateRoot } from '../../src/fold/state-root';
import { toHex, utf8 } from '../../src/core/bytes';

/** A second serialization written from docs/state-root.md alone, with Buffer arithmetic. */
function independentSerialization(files: ReadonlyMap<string, Uint8Array>): Buffer {
  const entries = [...files.entries()].map(([p, c]) => ({ path: Buffer.from(p, 'utf8'), content: c }));
  entries.sort((a, b) => Buffer.compare(a.path, b.path));
  const parts: Buffer[] = [Buffer.from('gatos-state-v1', 'ascii'), Buffer.from([0])];
  const count = Buffer.alloc(4);
  count.writeUInt32BE(entries.length);
  parts.push(count);
  for (const e of entries) {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(e.path.length);
    parts.push(len, e.path, Buffer.from(nobleBlake3(e.content)));
  }
  return Buffer.concat(parts);
}

function docBlock(marker: string): string {
  const doc = readFileSync(path.resolve(__dirname, '../../docs/state-root.md'), 'utf8');
  const m = new RegExp(`<!-- ${marker} -->\\s*\`\`\`\\n([^\`]+)\`\`\``).exec(doc);
  if (!m?.[1]) throw new Error(`docs/state-root.md has no block after <!-- ${marker} -->`);
  return m[1].trim();
}

describe('state_root', () => {
  const example = new Map([
    ['state/totals.json', utf8('{"a":12,"b":-3}')],
    ['state/ids.json', utf8('["x","y"]')],
  ]);

  test('the worked example in docs/state-root.md: bytes and root agree with an independent serialization and the implementation', () => {
    const docBytes = docBlock('worked-example-bytes');
    const docRoot = docBlock('worked-example-root');
    const mine = independentSerialization(example);
    expect(mine.toString('hex')).toBe(docBytes);
    expect(`blake3:${Buffer.from(nobleBlake3(mine)).toString('hex')}`).toBe(docRoot);
    const ser = serializeStateTree(example);
    expect(ser.ok && toHex(ser.value)).toBe(docBytes);
    expect(stateRoot(example)).toEqual({ ok: true, value: docRoot });
  });

  test('the empty tree has the root the doc states', () => {
    const root = `blake3:${Buffer.from(nobleBlake3(Buffer.from('6761746f732d73746174652d76310000000000', 'hex'))).toString('hex')}`;
    expect(stateRoot(new Map())).toEqual({ ok: true, value: root });
    expect(readFileSync(path.resolve(__dirname, '../../docs/state-root.md'), 'utf8')).toContain(root);
  });

  test('agrees with the independent serialization on random trees, whatever the insertion order', () => {
    const seg = fc.stringMatching(/^[a-z0-9\u00e9\u4e00\u{1F600}_-]{1,6}$/u);
    const tree = fc.uniqueArray(fc.tuple(fc.array(seg, { minLength: 1, maxLength: 3 }).map((s) => `${s.join('/')}.json`), fc.uint8Array({ maxLength: 40 })), {
      selector: ([p]) => p,
      maxLength: 12,
    });
    fc.assert(
      fc.property(tree, (entries) => {
        const files = new Map(entries);
        const ser = serializeStateTree(files);
        if (!ser.ok) return; // a file/directory clash ('a.json' cannot clash, but be safe)
        expect(Buffer.from(ser.value).equals(independentSerialization(files))).toBe(true);
        const reversed = serializeStateTree(new Map([...entries].reverse()));
        expect(reversed.ok && toHex(reversed.value)).toBe(toHex(ser.value));
      }),
    );
  });

  test('path order is code point order, not UTF-16 order', () => {
    // U+FF5E (3 UTF-8 bytes, EF BD 9E) sorts before U+1F600 (F0 9F 98 80) in UTF-8, but after it in UTF-16 (FF5E > D83D).
    const files = new Map([
      ['\u{1F600}.json', utf8('1')],
      ['\uFF5E.json', utf8('2')],
    ]);
    const ser = serializeStateTree(files);
    expect(ser.ok && Buffer.from(ser.value).equals(independentSerialization(files))).toBe(true);
  });

  test.each([
    ['/abs.json', /absolute/],
    ['a//b.json', /empty segment/],
    ['a/../b.json', /'\.\.' segment/],
    ['./a.json', /'\.' segment/],
    ['a\\b.json', /backslash/],
    ['e\u0301.json', /NFC/],
    ['dir/', /ends with/],
    ['', /empty/],
    ['a/.git/x', /\.git/],
  ])('refuses the path %j', (p, why) => {
    const r = stateRoot(new Map([[p, utf8('1')]]));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('FOLD_ERROR');
      expect(r.error.message).toMatch(why);
    }
  });

  test('refuses a path that is both a file and a directory, even when they are not neighbours in order', () => {
    const r = stateRoot(new Map([['a', utf8('1')], ['a-x', utf8('2')], ['a/b', utf8('3')]]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/also the directory/);
  });

  test('contents matter, paths matter, and length prefixes keep splits apart', () => {
    const root = (m: Map<string, Uint8Array>) => {
      const r = stateRoot(m);
      if (!r.ok) throw new Error(r.error.message);
      return r.value;
    };
    const base = root(new Map([['a/b', utf8('1')]]));
    expect(root(new Map([['a/b', utf8('2')]]))).not.toBe(base);
    expect(root(new Map([['a/c', utf8('1')]]))).not.toBe(base);
    expect(root(new Map([['ab', utf8('c')]]))).not.toBe(root(new Map([['a', utf8('bc')]])));
  });
});
