/**
 * procStrings (src/hooks/raw-input.ts): the NUL-separated strings of a /proc
 * file, each decoded losslessly on its own (src/core/byte-text.ts). It reads
 * the file in one go and decodes it whole (decision 0055); these check that
 * this gives each string's own decoding, on a real process's environment and
 * on files of bytes /proc could hold (invalid UTF-8, empty strings, no final
 * NUL, longer than the first read).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { textOfBytes } from '../../src/core/byte-text';
import { procStrings, readProcFile } from '../../src/hooks/raw-input';

/** Each NUL-ended (or final) piece decoded alone: what the strings are. */
function oneByOne(b: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < b.length; i++) {
    if (b[i] === 0) {
      out.push(textOfBytes(b.subarray(start, i)));
      start = i + 1;
    }
  }
  if (start < b.length) out.push(textOfBytes(b.subarray(start)));
  return out;
}

describe('procStrings', () => {
  it('reads a process\'s environment as its own strings', async () => {
    const p = spawn('sleep', ['30'], { env: { A: '1', GIT_DIR: '.', EMPTY: '', LONG: 'x'.repeat(20_000), U: 'zoë' }, stdio: 'ignore' });
    try {
      await new Promise((r) => p.once('spawn', r));
      const file = `/proc/${p.pid}/environ`;
      const got = procStrings(file);
      expect(got).toEqual(oneByOne(readFileSync(file)));
      expect(got).toEqual(['A=1', 'GIT_DIR=.', 'EMPTY=', `LONG=${'x'.repeat(20_000)}`, 'U=zoë']);
      expect(readProcFile(`/proc/${p.pid}/stat`).toString('latin1')).toMatch(/^\d+ \(sleep\) /);
    } finally {
      p.kill();
    }
  });

  it('decodes invalid UTF-8, empty strings and a last string without its NUL as each alone', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gatos-proc-'));
    try {
      const cases = [
        Buffer.from([]),
        Buffer.from([0]),
        Buffer.from('a=1\0\0b=\xff\xfe\0', 'latin1'),
        Buffer.concat([Buffer.from('U=caf'), Buffer.from([0xc3]), Buffer.from('\0V=\u00e9\u{1f600}\0W=tail', 'utf8')]),
        Buffer.concat([Buffer.from('BIG='), Buffer.alloc(9000, 0x41), Buffer.from([0xe2, 0x82, 0]), Buffer.from('END=1')]),
      ];
      for (const [i, b] of cases.entries()) {
        const f = path.join(dir, `case${i}`);
        writeFileSync(f, b);
        expect(procStrings(f)).toEqual(oneByOne(b));
      }
      expect(procStrings(path.join(dir, 'none'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
