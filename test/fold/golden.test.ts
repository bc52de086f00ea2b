/** Golden vectors: committed compiled bytes and state roots (test/fixtures/folds/README.md says how they were derived). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { createHash } from 'node:crypto';
import { decodeUtf8, toHex, utf8 } from '../../src/core/bytes';
import { parseEventLines } from '../../src/fold/jsonl';
import { loadCompiledFold } from '../../src/fold/load';
import { stateRoot } from '../../src/fold/state-root';
import { compileYamlFold } from '../../src/fold/yaml/compile';

const DIR = path.resolve(__dirname, '../fixtures/folds');

interface Golden {
  files: Record<string, string>;
  state_root: string;
  fold_root: string;
  engine: string;
  events: number;
}

/** The docs/state-root.md serialization, written again with Buffer arithmetic. */
function independentRoot(files: Record<string, string>): string {
  const entries = Object.entries(files).map(([p, c]) => [Buffer.from(p, 'utf8'), Buffer.from(c, 'utf8')] as const);
  entries.sort((a, b) => Buffer.compare(a[0], b[0]));
  const parts: Buffer[] = [Buffer.from('gatos-state-v1\0', 'binary')];
  const u32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    return b;
  };
  parts.push(u32(entries.length));
  for (const [p, c] of entries) parts.push(u32(p.length), p, Buffer.from(nobleBlake3(c)));
  return `blake3:${Buffer.from(nobleBlake3(Buffer.concat(parts))).toString('hex')}`;
}

describe.each(['invoices', 'ledger', 'membership'])('golden fold %s', (name) => {
  const source = readFileSync(path.join(DIR, `${name}.yaml`), 'utf8');
  const committed = new Uint8Array(readFileSync(path.join(DIR, `${name}.rgf`)));
  const golden = JSON.parse(readFileSync(path.join(DIR, `${name}.golden.json`), 'utf8')) as Golden;
  const eventsText = readFileSync(path.join(DIR, `${name}.events.jsonl`), 'utf8');

  test('compiles to exactly the committed bytes; fold_root is their sha256', () => {
    const c = compileYamlFold(source, `${name}.yaml`);
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(toHex(c.bytes)).toBe(toHex(committed));
    expect(`sha256:${createHash('sha256').update(committed).digest('hex')}`).toBe(golden.fold_root);
    expect(c.foldRoot).toBe(golden.fold_root);
  });

  test('folding the events emits the committed files and state_root, in one pass or resumed event by event', () => {
    const rt = loadCompiledFold(committed);
    if (!rt.ok) throw new Error(rt.error.message);
    const fold = rt.value;
    const events = parseEventLines(eventsText, `${name}.events.jsonl`);
    if (!events.ok) throw new Error(events.error.message);
    expect(events.value.length).toBe(golden.events);
    expect(fold.engine).toBe(golden.engine);

    const run = (batches: (typeof events.value)[]) => {
      let saved = fold.saveState(fold.init());
      for (const b of batches) {
        const s = fold.loadState(saved);
        if (!s.ok) throw new Error(s.error.message);
        const next = fold.step(s.value, b);
        if (!next.ok) throw new Error(next.error.message);
        saved = fold.saveState(next.value);
      }
      const s = fold.loadState(saved);
      if (!s.ok) throw new Error(s.error.message);
      const files = fold.emit(s.value);
      if (!files.ok) throw new Error(files.error.message);
      return files.value;
    };
    for (const files of [run([events.value]), run(events.value.map((e) => [e]))]) {
      expect(Object.fromEntries([...files].map(([p, b]) => [p, decodeUtf8(b)]))).toEqual(golden.files);
      expect(stateRoot(files)).toEqual({ ok: true, value: golden.state_root });
    }
    expect(independentRoot(golden.files)).toBe(golden.state_root);
  });

  test('the committed files are canonical JSON (what the fold would write byte for byte)', () => {
    for (const text of Object.values(golden.files)) expect(decodeUtf8(utf8(text))).toBe(text);
  });
});
