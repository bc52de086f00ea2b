/**
 * A FIFO of byte chunks as they arrive from a pipe, read back as lines and
 * as runs of a known length without copying the whole stream each time.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  /** Bytes of chunks[0] already consumed. */
  private offset = 0;
  private total = 0;

  get length(): number {
    return this.total;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.total += chunk.length;
  }

  /** The next line without its "\n", or undefined while no whole line has arrived. */
  readLine(): Buffer | undefined {
    let seen = 0;
    for (let c = 0; c < this.chunks.length; c++) {
      const chunk = this.chunks[c] as Buffer;
      const from = c === 0 ? this.offset : 0;
      const nl = chunk.indexOf(10, from);
      if (nl !== -1) {
        const line = this.take(seen + nl - from) as Buffer;
        this.skip(1);
        return line;
      }
      seen += chunk.length - from;
    }
    return undefined;
  }

  /** The next `n` bytes, or undefined while fewer have arrived. */
  take(n: number): Buffer | undefined {
    if (n > this.total) return undefined;
    const first = this.chunks[0];
    if (n === 0 || !first) return Buffer.alloc(0);
    if (first.length - this.offset >= n) {
      const out = first.subarray(this.offset, this.offset + n);
      this.skip(n);
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0] as Buffer;
      const count = Math.min(n - filled, chunk.length - this.offset);
      chunk.copy(out, filled, this.offset, this.offset + count);
      filled += count;
      this.skip(count);
    }
    return out;
  }

  clear(): void {
    this.chunks = [];
    this.offset = 0;
    this.total = 0;
  }

  private skip(n: number): void {
    this.total -= n;
    this.offset += n;
    while (this.chunks.length > 0 && this.offset >= (this.chunks[0] as Buffer).length) {
      this.offset -= (this.chunks[0] as Buffer).length;
      this.chunks.shift();
    }
  }
}
