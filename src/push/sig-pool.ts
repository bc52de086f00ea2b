/**
 * Event signatures checked on a second core. A push of 10,000 events spends
 * about a third of its CPU in ed25519 verification; the hook hands those
 * checks to one worker thread running this same hook file (so the very same
 * verifier, src/canon/ed25519.ts) while the main thread reads and checks the
 * next events. Requests made in the same turn of the event loop travel as one
 * message. If the worker cannot start or fails, every unanswered check is
 * done on the main thread instead: the pool changes when an answer is
 * computed, never what it is. Adapter (threads).
 */
import type { Worker } from 'node:worker_threads';

type WorkerThreads = typeof import('node:worker_threads');
/** Loaded on first use (Node's require keeps it): a one-event push starts no worker, and loading the module costs ~3 ms of every hook's start-up. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const workerThreads = (): WorkerThreads => require('node:worker_threads') as WorkerThreads;
import { verify } from '../canon/ed25519';
import { workerEnv } from './worker-env';

export type SignatureCheck = (publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array) => Promise<boolean>;

interface Pending {
  readonly args: [Uint8Array, Uint8Array, Uint8Array];
  readonly resolve: (ok: boolean) => void;
}

/**
 * A batch travels as one transferred buffer: for each request the lengths of
 * key, message and signature (u32 each), then their bytes. Posting the
 * arrays themselves copied each one's whole backing buffer, and an
 * envelope's bytes are a view into a 64 KB chunk of git's output.
 */
interface Batch {
  readonly id: number;
  readonly count: number;
  readonly bytes: ArrayBuffer;
}

function packBatch(items: readonly Pending[]): ArrayBuffer {
  let size = 0;
  for (const p of items) size += 12 + p.args[0].byteLength + p.args[1].byteLength + p.args[2].byteLength;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const p of items) {
    for (let k = 0; k < 3; k++) view.setUint32(at + 4 * k, p.args[k]?.byteLength as number);
    at += 12;
    for (const part of p.args) {
      out.set(part, at);
      at += part.byteLength;
    }
  }
  return out.buffer;
}

function unpackBatch(b: Batch): [Uint8Array, Uint8Array, Uint8Array][] {
  const all = new Uint8Array(b.bytes);
  const view = new DataView(b.bytes);
  const out: [Uint8Array, Uint8Array, Uint8Array][] = [];
  let at = 0;
  for (let i = 0; i < b.count; i++) {
    const lens = [view.getUint32(at), view.getUint32(at + 4), view.getUint32(at + 8)] as const;
    at += 12;
    const parts = lens.map((n) => {
      const part = all.subarray(at, at + n);
      at += n;
      return part;
    });
    out.push(parts as [Uint8Array, Uint8Array, Uint8Array]);
  }
  return out;
}

/** Requests that make a batch worth a message of its own (about 6 ms of the worker's time). */
const SEND_AT = 64;

/** In the worker (started without an event role, event-pool.ts): answer batches until the main thread ends. */
export function serveSignatures(): void {
  const { parentPort } = workerThreads();
  parentPort?.on('message', (b: Batch) => {
    const items = unpackBatch(b);
    const out = new Uint8Array(items.length);
    for (let i = 0; i < items.length; i++) {
      const [k, m, s] = items[i] as [Uint8Array, Uint8Array, Uint8Array];
      out[i] = verify(k, m, s) ? 1 : 0;
    }
    parentPort?.postMessage({ id: b.id, out }, [out.buffer]);
  });
}

export class SignaturePool {
  private worker: Worker | undefined;
  private failed = false;
  private queue: Pending[] = [];
  private scheduled = false;
  private nextId = 0;
  private readonly inFlight = new Map<number, Pending[]>();
  /** Signatures the worker answered (for GATOS_TRACE). */
  answered = 0;

  /** `script`: the hook file, run again as the worker. */
  constructor(private readonly script: string) {}

  readonly check: SignatureCheck = (publicKey, message, signature) =>
    new Promise((resolve) => {
      this.queue.push({ args: [publicKey, message, signature], resolve });
      // A full batch goes at once: the main thread may run for many ms before the next turn of
      // the event loop, and the worker would wait idle for work that is already there.
      if (this.queue.length >= SEND_AT) this.send();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.send();
        });
      }
    });

  close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    this.failed = true;
    this.fallBack();
    return w ? w.terminate().then(() => undefined) : Promise.resolve();
  }

  private start(): Worker | undefined {
    if (this.worker || this.failed) return this.worker;
    try {
      const w = new (workerThreads().Worker)(this.script, { env: workerEnv(), argv: [] });
      w.unref();
      w.on('message', (m: { id: number; out: Uint8Array }) => this.answer(m));
      w.on('error', () => this.fail());
      w.on('exit', () => this.fail());
      this.worker = w;
    } catch {
      this.failed = true;
    }
    return this.worker;
  }

  private send(): void {
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const w = this.start();
    if (!w) {
      for (const p of batch) p.resolve(verify(...p.args));
      return;
    }
    const id = this.nextId++;
    this.inFlight.set(id, batch);
    // Held while answers are awaited, so Node waits for them; released when none are.
    w.ref();
    const bytes = packBatch(batch);
    w.postMessage({ id, count: batch.length, bytes } satisfies Batch, [bytes]);
  }

  private answer(m: { id: number; out: Uint8Array }): void {
    const batch = this.inFlight.get(m.id);
    if (!batch) return;
    this.inFlight.delete(m.id);
    if (this.inFlight.size === 0) this.worker?.unref();
    this.answered += batch.length;
    for (let i = 0; i < batch.length; i++) (batch[i] as Pending).resolve(m.out[i] === 1);
  }

  private fail(): void {
    this.failed = true;
    this.worker = undefined;
    this.fallBack();
  }

  /** Everything the worker has not answered is verified here. */
  private fallBack(): void {
    for (const batch of this.inFlight.values()) for (const p of batch) p.resolve(verify(...p.args));
    this.inFlight.clear();
  }
}
