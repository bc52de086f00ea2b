/**
 * Starting a push's decision before it is asked for (decision 0053): git's
 * receive-pack unpacks a small push into `objects/tmp_objdir-incoming-*`,
 * then checks the objects' connectivity with a `git rev-list` of its own,
 * and only then starts pre-receive. This watches the object folder of a
 * served repository and each quarantine's own folder (inotify through
 * fs.watch; decision 0059) and, once its new fan-out folders pause, reads
 * it with readQuarantine (src/push/prefetch.ts) into the daemon's
 * LooseCache: the decision, when the hook asks, finds the objects
 * checked, parsed and the event's signature verified, each for the very
 * file. Nothing here decides; a
 * request that comes first decides as without it, and cancels what is
 * pending so the decision never waits on it. Adapter (filesystem).
 */
import { existsSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { LoadedBundle } from '../bundle/load';
import type { ObjectFormat } from '../git';
import type { LooseCache } from '../git/loose';
import { readQuarantine, type QuarantineRead } from '../push/prefetch';

const INCOMING = 'tmp_objdir-incoming-';
/**
 * Quiet time after the last fan-out folder seen made before the quarantine is read. 3 ms (decision 0053) while every
 * object file's writes woke the daemon; with one watch per quarantine (0059) and the daemon below git (0060), reading
 * 1 ms after the last new folder leaves the decision ahead done sooner and costs git no more: the `--hooks
 * pre-receive` row 1.08-1.22x the sketch against 1.24-1.38x at 3 ms, four pairs (0060's addendum).
 */
const SETTLE_MS = 1;
/** Quarantines watched at once at most (pushes in flight to one repository); more are left to their decisions. */
const MAX_WATCHED = 16;

interface Watched {
  /** The quarantine's own folder, watched alone (decision 0059). */
  readonly watcher: FSWatcher;
  timer: NodeJS.Timeout | undefined;
  /** A request came: never read (again), closed by release() or when git removes it. */
  cancelled: boolean;
}

export class QuarantineWatch {
  private root: FSWatcher | undefined;
  private readonly incoming = new Map<string, Watched>();

  constructor(
    private readonly objects: string,
    /** The repository's object format once known (the warm bundle's id tells it); undefined: nothing is read. */
    private readonly format: () => ObjectFormat | undefined,
    private readonly cache: LooseCache,
    /**
     * Told after each read, with how many objects it read and the loose objects it listed (the daemon then decides
     * the push ahead from that list, decisions 0057 and 0063).
     */
    private readonly onRead?: (dir: string, objects: number, ids: readonly string[]) => void,
    /** The warm active bundle, whose folds fold each pushed event ahead of its decision (decision 0056). */
    private readonly active?: () => LoadedBundle | undefined,
  ) {}

  start(): void {
    try {
      this.root = watch(this.objects, (_event, name) => {
        if (typeof name === 'string' && name.startsWith(INCOMING)) this.track(path.join(this.objects, name));
      });
      this.root.on('error', () => this.stop());
    } catch {
      // No inotify (or no folder): every decision reads as it goes.
    }
  }

  /**
   * Stops what is pending (a request is being decided: it must not wait for a read it makes itself): no read of a
   * quarantine watched so far starts from now on. Closing their inotify watchers cost about 0.14 ms, so that waits
   * for release(), which the daemon calls once it has replied (decision 0055).
   */
  cancel(): void {
    for (const w of this.incoming.values()) {
      if (w.timer) clearTimeout(w.timer);
      w.timer = undefined;
      w.cancelled = true;
    }
  }

  /** Closes the watchers of the quarantines cancel() stopped. */
  release(): void {
    for (const [dir, w] of this.incoming) if (w.cancelled) this.forget(dir, w);
  }

  stop(): void {
    for (const [dir, w] of this.incoming) this.forget(dir, w);
    this.root?.close();
    this.root = undefined;
  }

  /** Quarantines watched now, cancelled or not (tests). */
  get watched(): number {
    return this.incoming.size;
  }

  private track(dir: string): void {
    const have = this.incoming.get(dir);
    if (have) {
      // Its own folder changed: removed once git moved its objects in (or the push failed).
      if (!existsSync(dir)) this.forget(dir, have);
      return;
    }
    if (this.incoming.size >= MAX_WATCHED) return;
    // Only the quarantine's own folder: each object git writes into a new fan-out folder (every object of a small
    // push, nearly) shows there as that folder's creation. Watching the fan-out folders too woke the daemon for
    // every write of every object file, and those wake-ups slowed git's own unpacking and connectivity check more
    // than the read they timed saved (decision 0059). An object written into a fan-out folder made earlier is read
    // when a later creation times a read, or by the decision itself.
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, () => {
        const w = this.incoming.get(dir);
        if (!w || w.cancelled) return;
        if (w.timer) clearTimeout(w.timer);
        w.timer = setTimeout(() => this.read(dir, w), SETTLE_MS);
      });
    } catch {
      // Gone already (the push ended and git removed it): nothing to watch.
      return;
    }
    const w: Watched = { watcher, timer: undefined, cancelled: false };
    watcher.on('error', () => this.forget(dir, w));
    this.incoming.set(dir, w);
    w.timer = setTimeout(() => this.read(dir, w), SETTLE_MS);
  }

  /** Reads what the quarantine holds now; a later write reads again (what was read is kept, a stat each). */
  private read(dir: string, w: Watched): void {
    w.timer = undefined;
    if (w.cancelled) return;
    const format = this.format();
    let found: QuarantineRead = { ids: [], read: 0 };
    try {
      if (format) found = readQuarantine(dir, format, this.cache, this.active?.());
    } catch {
      // No input is known to throw here (docs/security.md, seventh pass); should one, the daemon keeps serving and
      // the decision reads the objects itself, as without the watch.
      found = { ids: [], read: 0 };
    }
    this.onRead?.(dir, found.read, found.ids);
  }

  private forget(dir: string, w: Watched): void {
    if (w.timer) clearTimeout(w.timer);
    w.watcher.close();
    this.incoming.delete(dir);
  }
}
