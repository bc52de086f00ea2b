/** Hex in and out (src/core/bytes.ts): fromHex reads exactly what toHex writes, and refuses everything else. */
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/core/bytes';

describe('fromHex', () => {
  it('reads back what toHex writes, byte for byte', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      const back = fromHex(toHex(bytes));
      expect(back && Object.getPrototypeOf(back)).toBe(Uint8Array.prototype);
      expect(back && [...back]).toEqual([...bytes]);
    }), { numRuns: 500 });
    expect([...(fromHex('00ff0a9f') ?? [])]).toEqual([0, 255, 10, 159]);
  });

  it.each(['0', 'abc', '0A', 'FF', 'g0', '0x00', ' 00', '00 ', 'é0'])('refuses %j (odd length, upper case, not hex)', (text) => {
    expect(fromHex(text)).toBeUndefined();
  });
});
