/**
 * The daemon's reply to one hook client, on the non-blocking descriptor it
 * opened (the client's stdin pipe, or a reply FIFO): protocol messages
 * (src/serve/protocol.ts) in order, then the end line, then the descriptor
 * closed. A reply is usually a few hundred bytes, far under a pipe's 64 KiB,
 * so each message is written at once with one write(2); wrapping every reply
 * in a net.Socket cost the daemon about 0.2 ms per push on the request path
 * (decision 0055). Only when a write would block (EAGAIN: the client has not
 * read the pipe's buffer yet) or goes in part (a write over PIPE_BUF may) does
 * the rest go through a net.Socket on the same descriptor, which queues it and
 * writes it as the client reads: a very long refusal, or progress lines of a
 * slow decision, still arrive whole and in order. A client that is gone
 * (EPIPE) gets nothing more. Adapter (a descriptor).
 */
import { closeSync, writeSync } from 'node:fs';
import net from 'node:net';

export class Reply {
  private fd: number | undefined;
  private socket: net.Socket | undefined;

  /** `fd`: opened write-only and O_NONBLOCK; the reply owns it from now on. */
  constructor(fd: number) {
    this.fd = fd;
  }

  /** Whether the writes went through a net.Socket (a write would have blocked, or went in part). */
  get queued(): boolean {
    return this.socket !== undefined;
  }

  write(text: string): void {
    if (this.socket) {
      this.socket.write(text);
      return;
    }
    const fd = this.fd;
    if (fd === undefined) return;
    const bytes = Buffer.from(text, 'utf8');
    let n: number;
    try {
      n = writeSync(fd, bytes);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') {
        // The client is gone (EPIPE) or the descriptor is unusable: nothing more reaches it.
        this.close();
        return;
      }
      n = 0;
    }
    if (n >= bytes.length) return;
    // The pipe is full: the rest, and everything after it, in order as the client reads.
    const socket = new net.Socket({ fd, readable: false, writable: true });
    socket.on('error', () => undefined);
    this.socket = socket;
    socket.write(bytes.subarray(n));
  }

  /** Writes the last message and closes the descriptor (once what is queued has been written). */
  end(text: string): void {
    this.write(text);
    if (this.socket) this.socket.end();
    else this.close();
  }

  private close(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd === undefined) return;
    try {
      closeSync(fd);
    } catch {
      // Closed already: nothing to do.
    }
  }
}
