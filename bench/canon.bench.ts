import { sha256 } from '../src/canon/digest';
import { createHash } from 'node:crypto';
import { timeMs, type BenchSuite } from './harness';

/** A sanity figure: our digest helper against calling node:crypto directly. */
export const canonSuite: BenchSuite = {
  name: 'canon',
  async run() {
    const data = new Uint8Array(64 * 1024 * 1024).fill(7);
    const ours = await timeMs(() => sha256(data), 5);
    const direct = await timeMs(() => createHash('sha256').update(data).digest(), 5);
    const mb = data.byteLength / 1e6;
    return [{
      figure: 'sha256 of 64 MiB (src/canon/digest)',
      value: mb / (ours / 1000),
      unit: 'MB/s',
      reference: 'node:crypto createHash directly',
      referenceValue: mb / (direct / 1000),
      ratio: direct / ours,
      note: 'ratio = reference time / our time (1.0 = no overhead)',
    }];
  },
};
