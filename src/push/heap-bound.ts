/**
 * Keeping a large push's memory bounded (decision 0027). What a push keeps
 * until the decision is small (a commit fact and an event fact per event,
 * tens of MB at 100,000 events), but verifying it allocates fast, and V8
 * lets the heap grow with the garbage long before a full collection: a
 * 100,000-event push peaked at 665-777 MB resident holding a fraction of
 * that. A full collection whenever the heap passes a bound keeps it near
 * what is live. The collector is Node's own `gc`, exposed at run time
 * (`--expose-gc` set from inside, the function taken from a fresh context);
 * where that is not offered, nothing is collected early: memory only, never
 * a decision. Adapter (the V8 heap).
 */
import { runInNewContext } from 'node:vm';

type V8Module = typeof import('node:v8');
/** node:v8, loaded by the first large push only: at every hook's start it cost about 0.6 ms of CPU (decision 0046). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const v8 = (): V8Module => require('node:v8') as V8Module;

/**
 * Heap in use outside the young generation above which a full collection
 * runs (checked every CHECK_EVERY events). The young generation is left out
 * (decision 0045): it has a fixed size, scavenges empty it without any help,
 * and counting its contents made a collection fire whenever it happened to be
 * full at a check, marking every fact of the push for no lasting gain.
 */
const HEAP_BOUND_MB = 64;
/**
 * Once what a collection leaves live nears the bound (a large push's facts),
 * the next one waits until the heap is this much above it: at the fixed
 * bound a 100,000-event push collected at nearly every check once its facts
 * passed ~60 MB (42-51 collections, each marking all of them; decision 0041).
 */
const HEADROOM_MB = 16;
const CHECK_EVERY = 1024;
const MB = 1048576;

export class HeapBound {
  private seen = 0;
  /** Heap in use (bytes) above which the next check collects. */
  private next = HEAP_BOUND_MB * MB;
  /** Full collections run, and the milliseconds they took on this thread (GATOS_TRACE). */
  collections = 0;
  collectMs = 0;
  readonly boundMb = HEAP_BOUND_MB;
  readonly headroomMb = HEADROOM_MB;

  private constructor(private readonly gc: (() => void) | undefined) {}

  static start(): HeapBound {
    let gc: (() => void) | undefined;
    try {
      v8().setFlagsFromString('--expose-gc');
      const f = runInNewContext('typeof gc === "function" ? gc : undefined') as unknown;
      if (typeof f === 'function') gc = f as () => void;
    } catch {
      gc = undefined;
    }
    return new HeapBound(gc);
  }

  /** Counts `n` more items of work; collects when the heap is past the bound. */
  tick(n = 1): void {
    this.seen += n;
    if (this.seen < CHECK_EVERY || !this.gc) return;
    this.seen = 0;
    if (oldUsed() < this.next) return;
    const t0 = performance.now();
    this.gc();
    this.collectMs += performance.now() - t0;
    this.collections++;
    this.next = Math.max(HEAP_BOUND_MB * MB, oldUsed() + HEADROOM_MB * MB);
  }
}

/** Bytes of heap in use outside the young generation (new_space). */
function oldUsed(): number {
  let young = 0;
  const m = v8();
  for (const s of m.getHeapSpaceStatistics()) if (s.space_name === 'new_space') young += s.space_used_size;
  return m.getHeapStatistics().used_heap_size - young;
}
