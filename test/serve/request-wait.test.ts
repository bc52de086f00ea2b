/**
 * The daemon's wait on the CPU for a request (src/serve/request-wait.ts, decision 0065): pure, with the test's sources
 * and clock; and on a real request FIFO of a served bare repository, read by the wait and by the socket in turn.
 */
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ServedRepo } from '../../src/serve/daemon';
import { GateMetrics } from '../../src/serve/metrics';
import { WaitBudget, waitForRequest, type WaitingRequests } from '../../src/serve/request-wait';
import { initRepo } from '../helpers/git';

/** A source that holds `chunks[i]` at its i-th read (undefined: nothing yet), counting its reads. */
class Scripted implements WaitingRequests {
  reads = 0;
  constructor(private readonly chunks: readonly (string | undefined)[]) {}
  readWaiting(): string | undefined {
    return this.chunks[this.reads++];
  }
}

/** A clock that moves `stepNs` at each reading. */
function ticking(stepNs: bigint): () => bigint {
  let t = 0n;
  return () => (t += stepNs);
}

describe('waiting for a request', () => {
  it('takes the first chunk any source holds, polling the sources in turn', () => {
    const a = new Scripted([undefined, undefined, undefined]);
    const b = new Scripted([undefined, '', 'gatos-push-3 line\n']);
    const taken = waitForRequest([a, b], 5, ticking(1000n));
    expect(taken?.source).toBe(b);
    expect(taken?.chunk).toBe('gatos-push-3 line\n');
    // An empty read is nothing: the third round took it.
    expect([a.reads, b.reads]).toEqual([3, 3]);
  });

  it('ends after the time given, having read each source at least once', () => {
    const s = new Scripted([]);
    expect(waitForRequest([s], 5, ticking(1_000_000n))).toBeUndefined();
    // Started at 1 ms, ends at the first reading at or after 6 ms: five rounds.
    expect(s.reads).toBe(5);
    const once = new Scripted([]);
    expect(waitForRequest([once], 0, ticking(1n))).toBeUndefined();
    expect(once.reads).toBe(1);
  });

  it('gives back the stack trace limit it lowers for the empty reads, also when a source throws', () => {
    const before = Error.stackTraceLimit;
    let during = -1;
    const peek: WaitingRequests = {
      readWaiting: () => {
        during = Error.stackTraceLimit;
        return 'x\n';
      },
    };
    waitForRequest([peek], 1, ticking(1n));
    expect(during).toBe(0);
    expect(Error.stackTraceLimit).toBe(before);
    const throwing: WaitingRequests = {
      readWaiting: () => {
        throw new Error('boom');
      },
    };
    expect(() => waitForRequest([throwing], 1, ticking(1n))).toThrow('boom');
    expect(Error.stackTraceLimit).toBe(before);
  });
});

describe('the waiting budget', () => {
  const ms = (n: number): bigint => BigInt(n) * 1_000_000n;
  it('allows waits until a second holds its bound, and starts afresh in the next second', () => {
    const b = new WaitBudget(50);
    const t0 = ms(7_000);
    for (let i = 0; i < 10; i++) {
      expect(b.allows(t0 + ms(i * 10), 5)).toBe(true);
      b.spent(t0 + ms(i * 10), t0 + ms(i * 10 + 5));
    }
    // 50 ms spent in this second: not even a shorter wait.
    expect(b.allows(t0 + ms(200), 1)).toBe(false);
    expect(b.allows(t0 + ms(1_000), 5)).toBe(true);
  });
});

describe('a real request FIFO', () => {
  it('what a wait reads and what the socket reads reach the same line reader, whole and in order', async () => {
    const logged: string[] = [];
    const served = new ServedRepo(initRepo({ bare: true }), new GateMetrics(), (l) => logged.push(l));
    served.listen();
    const fd = openSync(path.join(served.dir, 'requests'), constants.O_WRONLY | constants.O_NONBLOCK);
    try {
      // Three malformed requests, each refused for its own reason, so the log shows which line came in which order.
      const badNonce = 'gatos-push-1 not-hex 1 c.AAAAAA';
      const badPid = `gatos-push-1 ${'a'.repeat(32)} pid c.AAAAAA`;
      const badMagic = 'hello daemon';
      // The first line and half of the second, taken by a wait.
      writeSync(fd, `${badNonce}\n${badPid.slice(0, 20)}`);
      const taken = waitForRequest([served], 1_000, () => process.hrtime.bigint());
      expect(taken?.chunk).toBe(`${badNonce}\n${badPid.slice(0, 20)}`);
      taken?.source.take(taken.chunk);
      // The rest, left to the socket's own reads.
      writeSync(fd, `${badPid.slice(20)}\n${badMagic}\n`);
      for (let i = 0; logged.length < 3; i++) {
        if (i > 400) throw new Error(`the daemon read ${logged.length} lines of 3`);
        await new Promise((r) => setTimeout(r, 5));
      }
      expect(logged.map((l) => l.slice(l.indexOf('request ignored: ') + 'request ignored: '.length))).toEqual([
        'the nonce is not 32 hex digits',
        'the client pid is not a number',
        'not a gatos-push-1, gatos-push-2 or gatos-push-3 request',
      ]);
      // Nothing waiting any more: a wait finds nothing.
      expect(waitForRequest([served], 1, () => process.hrtime.bigint())).toBeUndefined();
    } finally {
      closeSync(fd);
      await served.close();
    }
  });
});
