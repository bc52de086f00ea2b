/**
 * BLAKE3 test vectors (../shared/vectors/blake3/test_vectors.json), hash mode.
 * Each input is `input_len` bytes of the repeating pattern 0, 1, ..., 250.
 * Expected outputs are extended (XOF) outputs; the default 32-byte digest is
 * their first 32 bytes. Keyed and derive-key modes are not used by GATOS.
 */
import { blake3 as nobleBlake3 } from '@noble/hashes/blake3.js';
import { toHex } from '../../src/core/bytes';
import { blake3, blake3Text } from '../../src/canon/digest';
import { describeWithVectors, readVectorJson, reportCount } from '../helpers/vectors';

interface Blake3Vectors {
  readonly cases: readonly { readonly input_len: number; readonly hash: string }[];
}

function patternInput(length: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => i % 251);
}

describeWithVectors('BLAKE3 vectors (hash mode)', () => {
  it('gives every published digest', () => {
    const { cases } = readVectorJson<Blake3Vectors>('blake3', 'test_vectors.json');
    let passed = 0;
    let extended = 0;
    const failures: string[] = [];
    for (const c of cases) {
      const input = patternInput(c.input_len);
      const want = c.hash.slice(0, 64);
      if (toHex(blake3(input)) === want && blake3Text(input) === `blake3:${want}`) passed++;
      else failures.push(`input_len ${c.input_len}`);
      // The full extended output checks the underlying implementation beyond 32 bytes.
      if (toHex(nobleBlake3(input, { dkLen: c.hash.length / 2 })) === c.hash) extended++;
      else failures.push(`input_len ${c.input_len} (extended)`);
    }
    reportCount('blake3 hash vectors (32-byte digest)', passed, cases.length);
    reportCount('blake3 hash vectors (full extended output)', extended, cases.length);
    expect(failures).toEqual([]);
    expect(cases.length).toBe(35);
  });
});
