/**
 * The daemon's reply writer (src/serve/reply.ts, decision 0055) on a real
 * FIFO, opened non-blocking as the daemon opens a client's pipe: a short
 * reply goes out in plain writes and the descriptor is closed after the end
 * line; a reply larger than the pipe holds, written while nobody reads,
 * continues through a queue and arrives whole and in order once the reader
 * reads.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Reply } from '../../src/serve/reply';

/** A FIFO's two ends, both non-blocking; the reading end as a stream that collects everything until end-of-file. */
function fifoPair(): { write: number; read: () => Promise<string>; done: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'gatos-reply-'));
  const fifo = path.join(dir, 'reply');
  expect(spawnSync('mkfifo', ['-m', '600', fifo]).status).toBe(0);
  const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const write = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  const read = (): Promise<string> =>
    new Promise((resolve) => {
      const s = new net.Socket({ fd: readFd, readable: true, writable: false });
      const chunks: Buffer[] = [];
      s.on('data', (b: Buffer) => chunks.push(b));
      s.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    });
  return { write, read, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('the daemon\'s reply', () => {
  it('a short reply is written at once and the descriptor closed after the end line', async () => {
    const p = fifoPair();
    try {
      const r = new Reply(p.write);
      r.write('ogatos gate: push refused\n');
      r.write('rprogress 1/2\n');
      r.end(`x ${'a'.repeat(32)} 1\n`);
      expect(r.queued).toBe(false);
      // End-of-file: the reply held the only writing end and closed it.
      expect(await p.read()).toBe(`ogatos gate: push refused\nrprogress 1/2\nx ${'a'.repeat(32)} 1\n`);
    } finally {
      p.done();
    }
  });

  it('a reply larger than the pipe holds, while nobody reads, arrives whole and in order', async () => {
    const p = fifoPair();
    try {
      const r = new Reply(p.write);
      const lines = Array.from({ length: 4000 }, (_, i) => `o  reason: line ${i} ${'é'.repeat(30)}\n`);
      // One message larger than the rest of the pipe, as a long refusal block would be.
      lines.splice(1000, 0, `o${'z'.repeat(70_000)}\n`);
      for (const l of lines) r.write(l);
      r.end(`x ${'b'.repeat(32)} 2\n`);
      expect(r.queued).toBe(true);
      const got = await p.read();
      expect(Buffer.byteLength(got)).toBeGreaterThan(256 * 1024);
      expect(got).toBe(`${lines.join('')}x ${'b'.repeat(32)} 2\n`);
    } finally {
      p.done();
    }
  });

  it('a client gone (no reader left) gets nothing, and nothing throws', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gatos-reply-'));
    try {
      const fifo = path.join(dir, 'reply');
      expect(spawnSync('mkfifo', ['-m', '600', fifo]).status).toBe(0);
      const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      // The reader closes: further writes fail with EPIPE (Node ignores SIGPIPE).
      closeSync(readFd);
      const r = new Reply(fd);
      expect(() => {
        r.write('oone\n');
        r.end('x 0\n');
      }).not.toThrow();
      expect(r.queued).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
