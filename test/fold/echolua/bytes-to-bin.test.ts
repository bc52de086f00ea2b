/**
 * Bytes into the VM's byte strings (src/fold/echolua/vm/strings.ts): one
 * code unit per byte, every byte value, at every length, including past one
 * fromCharCode call's chunk.
 */
import { binToBytes, bytesToBin } from '../../../src/fold/echolua/vm/strings';

describe('bytesToBin', () => {
  it('gives one code unit per byte, for every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const s = bytesToBin(all);
    expect(s.length).toBe(256);
    for (let i = 0; i < 256; i++) expect(s.charCodeAt(i)).toBe(i);
  });

  it('round-trips at lengths around and past its chunk, and from a view into a larger buffer', () => {
    for (const n of [0, 1, 8191, 8192, 8193, 20_000]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
      expect(Buffer.from(binToBytes(bytesToBin(bytes))).equals(Buffer.from(bytes))).toBe(true);
    }
    const big = Uint8Array.from({ length: 100 }, (_, i) => i);
    expect(bytesToBin(big.subarray(10, 13))).toBe('\x0a\x0b\x0c');
  });
});
