/**
 * One long-lived `git cat-file --batch-command --buffer` per repository view:
 * requests are queued on it in order, written in batches and answered in the
 * same order, so reading many objects costs about what cat-file itself costs.
 * The process starts on the first request, is closed explicitly, and never
 * keeps Node alive while nothing is being asked. An object named by its full
 * id that is loose is read in this process instead (loose.ts), so a small
 * push's decision may start no cat-file at all.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { childProcess } from './child-process';
import { err, ok, type Result } from '../core/result';
import { ByteQueue } from './byte-queue';
import { gitError, type GitError } from './errors';
import { isObjectId, type ObjectFormat } from './object-id';
import { LooseObjects, objectDirectories, type LooseCache } from './loose';
import { parsedCommit, parsedTree } from './parsed';
import type { GitProcessOptions } from './run';

export type ObjectType = 'blob' | 'tree' | 'commit' | 'tag';

export interface ObjectInfo {
  readonly id: string;
  readonly type: ObjectType;
  readonly size: number;
}

export interface GitObject extends ObjectInfo {
  readonly data: Uint8Array;
}

const ARGS = ['cat-file', '--batch-command', '--buffer'] as const;
const OBJECT_TYPES: readonly string[] = ['blob', 'tree', 'commit', 'tag'];
/**
 * Loose lookups that may miss in a row before a reader stops looking and asks
 * cat-file alone: each miss is a stat per object directory (~6 us an event in
 * a 20,000-event push, whose objects are all packed; decision 0041). A small
 * push's objects are loose and never get here.
 */
export const LOOSE_GIVE_UP = 1024;

interface Request {
  readonly name: string;
  readonly withData: boolean;
  /** With contents when withData is set, type and size only otherwise. */
  readonly resolve: (r: Result<GitObject | ObjectInfo, GitError>) => void;
}

/** Sockets have ref/unref; the stream types of child_process do not say so. */
function setRef(stream: unknown, on: boolean): void {
  const s = stream as { ref?: () => void; unref?: () => void };
  if (on) s.ref?.();
  else s.unref?.();
}

export class ObjectReader {
  private child: ChildProcessWithoutNullStreams | undefined;
  private exited: Promise<void> | undefined;
  private closing: Promise<void> | undefined;
  private readonly queue: Request[] = [];
  private head = 0;
  /** The request whose header has been read and whose contents are awaited. */
  private body: { req: Request; info: ObjectInfo } | undefined;
  private readonly out = new ByteQueue();
  private outbox: string[] = [];
  private flushScheduled = false;
  private stderrTail = '';
  private loose: LooseObjects | undefined;
  /** Loose lookups in a row that found nothing (LOOSE_GIVE_UP ends them). */
  private looseMisses = 0;

  constructor(
    private readonly proc: GitProcessOptions,
    readonly format: ObjectFormat,
    /** Loose objects kept across readers (the daemon's pushes; loose.ts). */
    shared?: LooseCache,
    /** The largest loose object read here (LooseObjects' maxInflated); absent: its default. */
    maxInflated?: number,
  ) {
    const dirs = objectDirectories(proc.env, proc.cwd);
    this.loose = dirs ? new LooseObjects(dirs, format, shared, maxInflated) : undefined;
  }

  /** Type, size and contents of the object `name` names (an id, or anything rev-parse accepts). */
  read(name: string): Promise<Result<GitObject, GitError>> {
    return this.request(name, true) as Promise<Result<GitObject, GitError>>;
  }

  /** Type and size only; the contents are not transferred. */
  info(name: string): Promise<Result<ObjectInfo, GitError>> {
    return this.request(name, false);
  }

  /** Ends the process after it has answered everything asked so far. Reading again starts a new one. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const child = this.child;
    if (!child) return Promise.resolve();
    this.flush();
    // Hold the loop open until git has exited: an unref'd child whose pipes
    // have closed would otherwise let Node quit before 'close' fires.
    // stderr too: 'close' waits for every pipe, and an unref'd one would let
    // Node exit with a still-pending close (a hook would then exit 0: accept).
    child.ref();
    setRef(child.stdout, true);
    setRef(child.stderr, true);
    child.stdin.end();
    this.closing = (this.exited ?? Promise.resolve()).then(() => {
      this.closing = undefined;
    });
    return this.closing;
  }

  private request(name: string, withData: boolean): Promise<Result<GitObject | ObjectInfo, GitError>> {
    if (name === '' || /[\n\r\0]/.test(name)) {
      return Promise.resolve(err(gitError('missing', [...ARGS], `not an object name: ${JSON.stringify(name.slice(0, 80))}`)));
    }
    const loose = this.loose ? this.readLoose(name) : undefined;
    if (this.loose) this.looseMisses = loose ? 0 : this.looseMisses + 1;
    // A large push's objects are packed: past this many misses in a row, stop looking (cat-file reads loose objects too).
    if (this.looseMisses >= LOOSE_GIVE_UP) this.loose = undefined;
    if (loose) return Promise.resolve(ok(withData ? loose : { id: loose.id, type: loose.type, size: loose.size }));
    // A process being closed takes no new requests; they go to the next one.
    if (this.closing) return this.closing.then(() => this.request(name, withData));
    const started = this.start();
    if (!started.ok) return Promise.resolve(started);
    return new Promise((resolve) => {
      if (this.pendingCount() === 0) this.setRefs(true);
      this.queue.push({ name, withData, resolve });
      this.outbox.push(`${withData ? 'contents' : 'info'} ${name}\n`);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * `name` read from loose objects: a full id, or `<id>:<file>` (a commit's
   * or tree's entry of that one name, as the event reader asks for
   * event.cbor); undefined for anything else or anything not loose.
   */
  private readLoose(name: string): GitObject | undefined {
    const loose = this.loose as LooseObjects;
    if (isObjectId(this.format, name)) return loose.read(name);
    const colon = name.indexOf(':');
    const file = name.slice(colon + 1);
    if (colon < 0 || !isObjectId(this.format, name.slice(0, colon)) || file === '' || /[/\0]/.test(file)) return undefined;
    let o = loose.read(name.slice(0, colon));
    if (o?.type === 'commit') {
      const c = parsedCommit(o, this.format);
      o = c.ok ? loose.read(c.value.tree) : undefined;
    }
    if (o?.type !== 'tree') return undefined;
    const entries = parsedTree(o, this.format);
    // A tree git would call malformed, or a name it holds twice, is left to git's own lookup.
    const found = entries.ok ? entries.value.filter((e) => e.name === file) : [];
    return found.length === 1 && found[0]?.mode !== '160000' ? loose.read(found[0]?.id as string) : undefined;
  }

  private start(): Result<true, GitError> {
    if (this.child) return ok(true);
    let child: ChildProcessWithoutNullStreams;
    try {
      this.proc.spawned?.(ARGS);
      child = childProcess().spawn('git', ARGS, { cwd: this.proc.cwd, env: this.proc.env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      return err(gitError('spawn', [...ARGS], `could not start git (${e instanceof Error ? e.message : String(e)})`));
    }
    this.child = child;
    this.stderrTail = '';
    this.out.clear();
    this.body = undefined;
    this.setRefs(false);
    child.stdout.on('data', (chunk: Buffer) => this.onData(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-4000);
    });
    child.stdin.on('error', () => undefined);
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    this.exited = new Promise((resolve) => {
      child.on('close', (status, signal) => {
        if (this.child === child) this.child = undefined;
        const why = spawnError
          ? `could not start git (${spawnError.message})`
          : `git exited (${status === null ? `signal ${signal ?? '?'}` : `status ${status}`}) before answering`;
        this.failAll(gitError(spawnError ? 'spawn' : 'failed', [...ARGS], why, this.stderrTail));
        resolve();
      });
    });
    return ok(true);
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.outbox.length === 0 || !this.child) return;
    const text = this.outbox.join('') + 'flush\n';
    this.outbox = [];
    this.child.stdin.write(text);
  }

  private onData(chunk: Buffer): void {
    this.out.push(chunk);
    while (this.out.length > 0) {
      if (this.body) {
        const { req, info } = this.body;
        const bytes = this.out.take(info.size + 1);
        if (!bytes) return;
        this.body = undefined;
        this.dequeue();
        if (bytes[info.size] !== 10) {
          this.protocolError(`contents of ${info.id} not followed by a newline`);
          return;
        }
        req.resolve(ok({ ...info, data: bytes.subarray(0, info.size) }));
        continue;
      }
      const line = this.out.readLine();
      if (!line) return;
      const req = this.queue[this.head];
      if (!req) {
        this.protocolError(`unexpected output ${JSON.stringify(line.toString('latin1').slice(0, 80))}`);
        return;
      }
      const header = this.parseHeader(line.toString('latin1'), req);
      if (!header.ok) {
        this.dequeue();
        req.resolve(header);
      } else if (req.withData) {
        this.body = { req, info: header.value };
      } else {
        this.dequeue();
        req.resolve(header);
      }
    }
  }

  private parseHeader(line: string, req: Request): Result<ObjectInfo, GitError> {
    if (line === `${req.name} missing` || line === `${req.name} ambiguous`) {
      const what = line.endsWith('ambiguous') ? 'ambiguous object name' : 'no such object';
      return err(gitError('missing', [...ARGS], `${what}: ${req.name}`));
    }
    const [id = '', type = '', sizeText = '', ...rest] = line.split(' ');
    const size = Number(sizeText);
    if (rest.length > 0 || !isObjectId(this.format, id) || !OBJECT_TYPES.includes(type) || !/^\d+$/.test(sizeText) || !Number.isSafeInteger(size)) {
      return err(gitError('malformed', [...ARGS], `unexpected answer for ${req.name}: ${JSON.stringify(line.slice(0, 120))}`));
    }
    return ok({ id, type: type as ObjectType, size });
  }

  private pendingCount(): number {
    return this.queue.length - this.head;
  }

  private dequeue(): void {
    this.head++;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      this.setRefs(false);
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private failAll(e: GitError): void {
    const waiting = this.queue.slice(this.head);
    this.queue.length = 0;
    this.head = 0;
    this.body = undefined;
    this.outbox = [];
    for (const req of waiting) req.resolve(err(e));
  }

  /** Out of step with git: nothing later can be trusted, so stop it and fail what waits. */
  private protocolError(why: string): void {
    const child = this.child;
    this.failAll(gitError('malformed', [...ARGS], why, this.stderrTail));
    child?.kill();
  }

  private setRefs(on: boolean): void {
    const child = this.child;
    // Closing holds the child until it has exited: letting go when the last answer arrives would let Node
    // drain its loop before git's exit is seen, and the close would never settle.
    if (!child || (!on && this.closing !== undefined)) return;
    // The child too: if git dies mid-request, its exit must still be seen so the waiting reads fail.
    if (on) child.ref();
    else child.unref();
    setRef(child.stdin, on);
    setRef(child.stdout, on);
    setRef(child.stderr, on);
  }
}
