/**
 * `gatos serve`: one long-running process per host user that decides the
 * pushes of one or many bare repositories for their pre-receive hooks (a
 * POSIX sh client, src/hooks/pre-receive-stub.sh), keeping each
 * repository's verified active bundle (trust set, compiled policy, folds)
 * and the V8-warm code in memory. A push is decided exactly as the cold hook
 * decides it: the same runHook (src/hooks/run-hook.ts: time budget, one
 * audit entry, refusal lines, exit status, verdict records for the update
 * hook), with the hook client's own environment (read from /proc: git's
 * quarantine variables, push options, the host's identity variables) and
 * update lines. The active bundle is checked against
 * refs/gatos/policies/active on every push and reloaded when it moved.
 * Protocol: src/serve/protocol.ts. Adapter (filesystem, FIFOs, /proc).
 */
import { spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readSync, readlinkSync, readdirSync, realpathSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { ACTIVE_POLICY_REF } from '../actors';
import { textOfBytes } from '../core/byte-text';
import { err, gateError, ok, type Result } from '../core/result';
import { parseUpdateLines, type Verdict } from '../gate';
import { AUDIT_POLICY_REF } from '../gate/ref-class';
import { formatOfId, openRepo, withoutQuarantine, type GitRepo } from '../git';
import { LooseCache } from '../git/loose';
import { procStrings, readProcFile } from '../hooks/raw-input';
import { startTimeOfStat, updateHookInstalled } from '../hooks/records';
import { runHook, type Observed } from '../hooks/run-hook';
import { activeGateBundle, type GateBundle } from '../push/active-bundle';
import { PREFETCH_MAX_OBJECTS } from '../push/prefetch';
import { SettingsCache } from '../push/settings-cache';
import { VerifyMemo } from '../events/memo';
import { keepNewest } from '../core/newest';
import { AheadTries, decideAhead, stillHolds, type Ahead, type LastPush } from './ahead';
import { KeptWhileUnchanged } from './kept';
import { QuarantineWatch } from './prefetch-watch';
import { Reply } from './reply';
import { GateMetrics, decisionLabels } from './metrics';
import { LineSplitter, absoluteGitEnv, coldMessage, endMessage, environOf, outputMessage, parentOfStat, inlineReplyName, parseRequestLine, pidFileText, writeMessage, type PushRequest } from './protocol';

export const DAEMON_DIR = ['gatos', 'daemon'] as const;

/**
 * The daemon prunes a repository's older verdict records at most this often: every push did, and a scan of a folder
 * holding the last 10 s of emptied records cost the daemon about 0.7 ms of CPU per push (decision 0054). A record
 * kept a few seconds longer allows nothing more: emptied ones allow nothing, stale ones fail their age check.
 */
const PRUNE_EVERY_MS = 5_000;

/**
 * After this many decisions made ahead in a row were discarded (a host whose hooks get another value on every push of
 * a variable the decision reads, e.g. a per-request identity), only every this-many-th push is decided ahead: the CPU
 * spent in vain stays an eighth, and a host where guesses hold again finds out (decisions 0057, 0061).
 */
const AHEAD_MISSES = 8;
/** Decisions made ahead kept at most (quarantines of pushes in flight whose requests have not come). */
const AHEAD_KEPT = 4;
// A process's uid changes only through setuid, which this process never calls: asked once, not three times a request.
const UID = process.getuid?.() ?? -1;

function ownedDir(p: string): boolean {
  const s = lstatSync(p, { throwIfNoEntry: false });
  return s !== undefined && s.isDirectory() && !s.isSymbolicLink() && s.uid === UID;
}

function startTimeOf(pid: number): string | undefined {
  try {
    return startTimeOfStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** What the daemon knows of one repository between pushes. */
interface Warm {
  readonly commit: string;
  readonly bundle: GateBundle;
}

export interface RepoStatus {
  readonly gitDir: string;
  readonly ready: boolean;
  readonly reason?: string;
  readonly policyRoot?: string;
  readonly foldRoots: readonly string[];
}

/** One buffer for the reads of every request FIFO while the daemon waits for a request (one thread reads them all). */
let waitBuffer: Buffer | undefined;

/** A bare repository the daemon serves: its FIFO, its warm bundle, its requests. */
export class ServedRepo {
  readonly dir: string;
  private warm: Warm | undefined;
  private problem: string | undefined = 'not loaded yet';
  private fd: number | undefined;
  private socket: net.Socket | undefined;
  private readonly inflight = new Set<Promise<void>>();
  private readonly settings = new SettingsCache();
  /** Whether the update hook is installed: install.json and hooks/update, read again when either changes. */
  private readonly updateHook = new KeptWhileUnchanged<boolean>();
  /** When this repository's verdict records were last pruned (Date.now()). */
  private prunedAtMs = Number.NEGATIVE_INFINITY;
  /** The last push decided here: the next one is guessed from it (decision 0057). */
  private last: LastPush | undefined;
  /** Decisions made ahead, by quarantine folder, until their request comes, with the try that made each. */
  private readonly ahead = new Map<string, { readonly decided: Ahead; readonly try: number }>();
  /** How often each quarantine was guessed from and decided ahead (docs/security.md, 8.2 and 8.7). */
  private readonly aheadTries = new AheadTries();
  /** Decisions made ahead discarded in a row, and pushes since sampling started. */
  private aheadMisses = 0;
  private aheadTurn = 0;
  /** A push's quarantine read while git checks its connectivity (decision 0053). */
  private prefetch: QuarantineWatch | undefined;
  /** The request FIFO's lines so far (its reads and the daemon's waits for a request feed the same one). */
  private readonly split = new LineSplitter();
  /** Requests being served (from their line until their verdict and after-reply work are done or failed). */
  private serving = 0;

  constructor(
    readonly gitDir: string,
    private readonly metrics: GateMetrics,
    private readonly log: (line: string) => void,
    /**
     * Loose objects read by earlier pushes, each kept only for the very file it came from (decision 0049): one
     * per daemon, so its bound holds however many repositories it serves (a file of one is never another's).
     */
    private readonly objects: LooseCache = new LooseCache(),
    /** Told each time a push was decided ahead and kept, its request due soon (the daemon may wait for it: decision 0065). */
    private readonly decidedAheadKept: (repo: ServedRepo) => void = () => undefined,
  ) {
    this.dir = path.join(gitDir, ...DAEMON_DIR);
  }

  get name(): string {
    return this.gitDir;
  }

  /**
   * Makes daemon/ (0700, ours), a fresh request FIFO and the pid file, and starts reading requests. `waits`: the
   * daemon waits on the CPU for requests (request-wait.ts), and says so to the hooks with the plain file
   * daemon/waits, so that they check longer for their request being taken before they fork a watcher (decision 0065).
   */
  listen(waits = false): void {
    const parent = path.join(this.gitDir, DAEMON_DIR[0]);
    mkdirSync(parent, { recursive: true, mode: 0o700 });
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    if (!ownedDir(this.dir)) throw new Error(`${this.dir} is not a folder of this user (uid ${UID})`);
    const fifo = path.join(this.dir, 'requests');
    // A FIFO left by a daemon that died: clients that wrote to it see that daemon gone and decide cold.
    rmSync(fifo, { force: true });
    // Only a hint for the hooks' speed (how long they check before forking a watcher), never for a decision.
    const hint = path.join(this.dir, 'waits');
    if (waits) writeFileSync(hint, '', { mode: 0o600 });
    else rmSync(hint, { force: true });
    const made = spawnSync('mkfifo', ['-m', '600', fifo], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`mkfifo ${fifo} failed: ${made.stderr.trim() || made.error?.message || 'unknown error'}`);
    // Read-write: the FIFO never reports end-of-file when a client closes it, and the open never blocks.
    this.fd = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    this.socket = new net.Socket({ fd: this.fd, readable: true, writable: false });
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => this.take(chunk));
    this.socket.on('error', (e) => this.log(`${this.gitDir}: request FIFO: ${e.message}`));
    const start = startTimeOf(process.pid);
    if (start === undefined) throw new Error('this process cannot be named from /proc (its start time names it in the pid file)');
    const tmp = path.join(this.dir, `pid.${process.pid}.tmp`);
    // The hooks check that this process holds the request FIFO open on this descriptor (net.Socket keeps the fd).
    writeFileSync(tmp, pidFileText(process.pid, start, this.fd), { mode: 0o600 });
    renameSync(tmp, path.join(this.dir, 'pid'));
    // Under the real path: git names a push's quarantine by it (its working directory), and decisions made ahead are
    // kept by that name; through a symlinked folder no request would find one (docs/security.md, 8.4).
    this.prefetch = new QuarantineWatch(path.join(realGitDir(this.gitDir), 'objects'), () => formatOfId(this.warm?.commit), this.objects, (dir, read, ids) => {
      if (read > 0) this.track(this.decideAhead(dir, ids));
    }, () => this.warm?.bundle.loaded);
    this.prefetch.start();
  }

  /** Serves every whole line `chunk` completes, in the order the FIFO gave them. */
  take(chunk: string): void {
    for (const line of this.split.push(chunk)) {
      this.serving++;
      this.track(this.serve(line).finally(() => this.serving--));
    }
  }

  /** Whether a request of this repository is being served: a wait for requests would hold up its I/O (request-wait.ts). */
  get busy(): boolean {
    return this.serving > 0;
  }

  /**
   * What the request FIFO holds now, read without blocking (a daemon waiting for a request, request-wait.ts); the
   * caller hands it to take(). Sound beside the socket's own reads because both run on this thread and hand what they
   * read at once to the same line reader: the socket flows (it is never paused, so Node holds no bytes between its
   * read and its 'data' event) and decodes latin1 (no partial character kept). One read of up to 64 KiB, a pipe's
   * whole default capacity, so that no part of what was written before is left for the socket to deliver later.
   */
  readWaiting(): string | undefined {
    if (this.fd === undefined || this.socket === undefined || this.socket.destroyed) return undefined;
    waitBuffer ??= Buffer.allocUnsafe(65536);
    try {
      const n = readSync(this.fd, waitBuffer, 0, waitBuffer.length, null);
      return n > 0 ? waitBuffer.toString('latin1', 0, n) : undefined;
    } catch {
      // EAGAIN: nothing there yet. Any other failure is the socket's reader's to report.
      return undefined;
    }
  }

  private track(p: Promise<void>): void {
    this.inflight.add(p);
    void p.finally(() => this.inflight.delete(p));
  }

  /** Stops taking requests: the pid file goes first, so a hook that looks now decides cold. */
  async close(): Promise<void> {
    rmSync(path.join(this.dir, 'pid'), { force: true });
    rmSync(path.join(this.dir, 'requests'), { force: true });
    rmSync(path.join(this.dir, 'waits'), { force: true });
    this.prefetch?.stop();
    this.socket?.destroy();
    await Promise.allSettled([...this.inflight]);
  }

  /** The warm bundle while refs/gatos/policies/active still names it (read through `repo`); undefined otherwise. */
  private async warmBundle(repo: GitRepo, memo: VerifyMemo): Promise<GateBundle | undefined> {
    const ref = await repo.readRef(ACTIVE_POLICY_REF);
    const w = this.warm;
    if (!ref.ok || ref.value === undefined || w?.commit !== ref.value) return undefined;
    memo.bundles.set(w.commit, w.bundle.loaded);
    return w.bundle;
  }

  /**
   * The bundle a decision made ahead is decided under: only the warm one. Loading another would change what the
   * daemon keeps and reports (/readyz, its log) for a push nobody asked to decide yet, under a view that starts no
   * git; its request loads it (docs/security.md, 8.5).
   */
  private async aheadBundle(repo: GitRepo, memo: VerifyMemo): Promise<Result<GateBundle>> {
    const w = await this.warmBundle(repo, memo);
    return w ? ok(w) : err(gateError('NOT_FOUND', 'the active bundle is not the one kept warm: the request loads it'));
  }

  /** The active bundle, warm when refs/gatos/policies/active has not moved since it was loaded. */
  async activeBundle(repo: GitRepo, memo: VerifyMemo): Promise<Result<GateBundle>> {
    const w = await this.warmBundle(repo, memo);
    if (w) return ok(w);
    const loaded = await activeGateBundle(repo, memo);
    if (loaded.ok) {
      this.warm = { commit: loaded.value.commit, bundle: loaded.value };
      this.problem = undefined;
      this.log(`${this.gitDir}: active bundle ${loaded.value.commit} loaded`);
    } else {
      this.warm = undefined;
      this.problem = `the active bundle cannot be used: ${loaded.error.message}`;
    }
    return loaded;
  }

  /**
   * Decides the push in `quarantine` before its request, from the last push's update lines and environment (ahead.ts),
   * and the loose objects the read that started it listed there.
   */
  private async decideAhead(quarantine: string, ids: readonly string[]): Promise<void> {
    const last = this.last;
    const format = formatOfId(this.warm?.commit);
    if (!last || !format) return;
    const skipped = (): false => {
      this.metrics.ahead.inc({ repo: this.gitDir, result: 'skipped' });
      return false;
    };
    if (!this.aheadTries.guess(quarantine)) {
      skipped();
      return;
    }
    /** This try's number once the push guessed is being decided (0: not decided). */
    let tried = 0;
    /** Whether to decide the push guessed: not past its quarantine's tries, nor while guesses keep missing (sampled). */
    const start = (): boolean => {
      if (this.aheadMisses >= AHEAD_MISSES && this.aheadTurn++ % AHEAD_MISSES !== 0) return skipped();
      tried = this.aheadTries.decide(quarantine);
      return tried > 0 || skipped();
    };
    try {
      const a = await decideAhead({ quarantine, last, format, looseCache: this.objects, nowMs: Date.now(), settings: (repo, env) => this.settings.read(repo, env), activeBundle: (repo, memo) => this.aheadBundle(repo, memo), maxObjects: PREFETCH_MAX_OBJECTS, ids, start });
      if (!a) {
        // Decided, but not in a way that can be vouched for (it needed git, a read failed, the budget ran out).
        if (tried > 0) this.metrics.ahead.inc({ repo: this.gitDir, result: 'abandoned' });
        return;
      }
      this.metrics.ahead.inc({ repo: this.gitDir, result: 'made' });
      // A later try for the same quarantine (it read more of the push) that ended first stands; a decision that ends after
      // its request came is never used (nor waited on: the request's own decision may be waiting for I/O meanwhile).
      if ((this.ahead.get(quarantine)?.try ?? 0) > tried || this.aheadTries.wasAsked(quarantine)) return;
      keepNewest(this.ahead, quarantine, { decided: a, try: tried }, AHEAD_KEPT);
      this.decidedAheadKept(this);
    } catch (e) {
      // Nothing decided ahead: the request decides, as without it.
      this.log(`${this.gitDir}: deciding ahead: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Counts a decision made ahead as used or discarded (metrics, and the sampling of decideAhead). */
  private countAhead(used: boolean): void {
    this.metrics.ahead.inc({ repo: this.gitDir, result: used ? 'used' : 'discarded' });
    this.aheadMisses = used ? 0 : this.aheadMisses + 1;
  }

  /** Loads (or checks) the active bundle outside any push, and whether the audit ref can be written. */
  async status(): Promise<RepoStatus> {
    const opened = await openRepo(this.gitDir, { env: withoutQuarantine({ ...process.env, GIT_DIR: undefined }) });
    if (!opened.ok) return { gitDir: this.gitDir, ready: false, reason: opened.error.message, foldRoots: [] };
    const repo = opened.value;
    try {
      await this.activeBundle(repo, new VerifyMemo());
    } finally {
      await repo.close();
    }
    const w = this.warm;
    const audit = auditWritable(this.gitDir);
    const reason = this.problem ?? audit;
    return { gitDir: this.gitDir, ready: reason === undefined, ...(reason !== undefined ? { reason } : {}), ...(w ? { policyRoot: w.commit } : {}), foldRoots: w ? w.bundle.folds.map((f) => f.foldRoot) : [] };
  }

  /** One request line: checked, accepted, decided, answered. Never throws. */
  private async serve(line: string): Promise<void> {
    const parsed = parseRequestLine(line);
    if (!parsed.ok) {
      this.log(`${this.gitDir}: request ignored: ${parsed.reason}`);
      return;
    }
    const req = parsed.value;
    // No quarantine read starts from here on; the watchers are closed after the reply (decision 0055).
    this.prefetch?.cancel();
    // Work that waits until the client has its verdict: the decision log's line, the older verdict records' clean-up,
    // closing the cancelled quarantine watchers.
    const later: (() => void)[] = [() => this.prefetch?.release()];
    let reply: Reply;
    try {
      const st = lstatSync(`/proc/${req.pid}`);
      if (st.uid !== UID) throw new Error(`the client process ${req.pid} is not this user's`);
      reply = 'dir' in req ? this.acceptFolder(req.dir) : req.replyOnStdin ? this.acceptOnStdin(req.nonce, req.pid) : this.acceptInline(req.nonce);
    } catch (e) {
      this.log(`${this.gitDir}: request from pid ${req.pid} not served: ${e instanceof Error ? e.message : String(e)}`);
      this.runLater(later);
      return;
    }
    const t0 = process.hrtime.bigint();
    let observed: Observed | undefined;
    let status: number;
    try {
      const client = readClient(req, 'dir' in req ? readFileSync(path.join(this.dir, req.dir, 'stdin')) : req.stdin);
      if (!sameRepo(client.gitDir, this.gitDir)) {
        reply.end(coldMessage(req.nonce));
        this.runLater(later);
        return;
      }
      const quarantine = client.env.GIT_QUARANTINE_PATH;
      const ahead = quarantine ? this.ahead.get(quarantine)?.decided : undefined;
      if (quarantine) {
        this.ahead.delete(quarantine);
        // Asked for: a read of its quarantine after this (git moving the objects out) decides nothing ahead.
        this.aheadTries.asked(quarantine);
      }
      this.last = { stdin: client.stdin, env: client.env, cwd: client.cwd, gitDir: client.gitDir };
      status = await runHook({
        hook: 'pre-receive',
        gitDir: client.gitDir,
        env: client.env,
        updates: (format) => parseUpdateLines(format, client.stdin),
        sampleId: client.stdin.split(' ', 1)[0],
        print: (l) => reply.write(outputMessage(l)),
        write: (t) => reply.write(writeMessage(t)),
        clockMs: () => Date.now(),
        served: {
          cwd: client.cwd,
          // Read only when verdict records are written (an accepted push with the update hook installed): a
          // pre-receive-only install never needs it (decision 0055). Unreadable: runHook throws, the push goes cold.
          get receivePack(): number {
            return parentOf(req.pid);
          },
          elapsedMs: () => Number(process.hrtime.bigint() - t0) / 1e6,
          activeBundle: (repo, memo) => this.activeBundle(repo, memo),
          settings: (repo) => this.settings.read(repo, client.env),
          looseCache: this.objects,
          updateHookInstalled: (gitDir) => this.updateHook.get([path.join(gitDir, 'gatos', 'install.json'), path.join(gitDir, 'hooks', 'update')], () => updateHookInstalled(gitDir), gitDir),
          observe: (o) => {
            observed = o;
          },
          afterReply: (work) => void later.push(work),
          ...(ahead
            ? {
                decidedAhead: async (repo, config, now) => {
                  const holds = await stillHolds(ahead, { stdin: client.stdin, env: client.env, cwd: client.cwd, now, config }, repo);
                  this.countAhead(holds);
                  return holds ? { outcome: ahead.outcome, events: ahead.events } : undefined;
                },
              }
            : {}),
          pruneRecords: (prune) => {
            const now = Date.now();
            if (now - this.prunedAtMs < PRUNE_EVERY_MS) return;
            this.prunedAtMs = now;
            later.push(prune);
          },
        },
      });
    } catch (e) {
      // The hook's own failures are refusals inside runHook; this is the daemon failing to read the request: cold.
      this.log(`${this.gitDir}: request from pid ${req.pid}: ${e instanceof Error ? e.message : String(e)}`);
      reply.end(coldMessage(req.nonce));
      this.runLater(later);
      return;
    }
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    reply.end(endMessage(req.nonce, status));
    // The metrics, the decision log's line and the clean-up wait until the verdict is in the client's pipe.
    this.count(observed, status, seconds);
    this.runLater(later);
  }

  /** Runs work deferred past a reply on the next turn of the event loop; a failure there is logged, never thrown. */
  private runLater(work: readonly (() => void)[]): void {
    if (work.length === 0) return;
    setImmediate(() => {
      for (const w of work) {
        try {
          w();
        } catch (e) {
          this.log(`${this.gitDir}: after the reply: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    });
  }

  /** Opens the reply FIFO of a client folder and marks the request accepted; throws when anything is not this user's. */
  private acceptFolder(dir: string): Reply {
    const cdir = path.join(this.dir, dir);
    if (!ownedDir(cdir)) throw new Error('the client folder is not this user\'s');
    const reply = openReply(path.join(cdir, 'reply'));
    writeFileSync(path.join(cdir, 'accepted'), '', { mode: 0o600 });
    return reply;
  }

  /** Opens daemon/r.<nonce> and removes it: the client, watching for the name, knows its request was accepted. */
  private acceptInline(nonce: string): Reply {
    const fifo = path.join(this.dir, inlineReplyName(nonce));
    const reply = openReply(fifo);
    rmSync(fifo, { force: true });
    return reply;
  }

  /**
   * Opens the client's stdin, git's pipe, as /proc/<pid>/fd/0 for writing, and
   * removes its marker daemon/r.<nonce> (a plain file of this user's). Only a
   * pipe of this user's is written to: a host that gives the hook a file or a
   * socket there gets no reply (the client then falls back when the accept
   * time runs out; it sends this request only when its stdin is a pipe).
   */
  private acceptOnStdin(nonce: string, pid: number): Reply {
    const marker = path.join(this.dir, inlineReplyName(nonce));
    const m = lstatSync(marker);
    if (!m.isFile() || m.uid !== UID) throw new Error('the request marker is not a plain file of this user\'s');
    const fd = openSync(`/proc/${pid}/fd/0`, constants.O_WRONLY | constants.O_NONBLOCK);
    const st = fstatSync(fd);
    if (!st.isFIFO() || st.uid !== UID) {
      closeSync(fd);
      throw new Error('the client\'s stdin is not a pipe of this user\'s');
    }
    // Removing the marker decides the race with a client that gives up (it removes the marker, then execs the cold
    // hook, whose stdin is a here-document): when the client removed it first, the descriptor just opened may be
    // that here-document's pipe, and nothing is written.
    try {
      unlinkSync(marker);
    } catch (e) {
      closeSync(fd);
      throw e;
    }
    return new Reply(fd);
  }

  private count(o: Observed | undefined, status: number, seconds: number): void {
    const m = this.metrics;
    const v: Verdict = o?.verdict ?? { accepted: false, decisions: [], denials: [], gateError: { code: 'GATE_ERROR', reason: '' } };
    m.decisions.inc(decisionLabels(this.gitDir, { ...v, accepted: v.accepted && status === 0 }));
    m.seconds.observe(seconds);
    if (o) {
      if (o.events > 0) m.events.inc({ repo: this.gitDir }, o.events);
      if (o.audit === 'not-recorded') m.auditFailures.inc({ repo: this.gitDir });
      if (o.budgetExceeded) m.budget.inc({ repo: this.gitDir });
    }
  }

  /** Removes client folders and reply FIFOs left by hooks that were killed (a live client removes its own, or the daemon does). */
  pruneClients(maxAgeMs: number, nowMs: number): void {
    if (!ownedDir(this.dir)) return;
    for (const name of readdirSync(this.dir)) {
      if (!name.startsWith('c.') && !name.startsWith('r.')) continue;
      const p = path.join(this.dir, name);
      try {
        if (nowMs - statSync(p).mtimeMs > maxAgeMs) rmSync(p, { recursive: true, force: true });
      } catch {
        // Removed by its client meanwhile.
      }
    }
  }
}

interface Client {
  readonly env: NodeJS.ProcessEnv & Record<string, string>;
  readonly cwd: string;
  readonly gitDir: string;
  readonly stdin: string;
}

/** A client's reply FIFO, write-only and non-blocking (ENXIO when no client holds it: it gave up, nothing to answer). */
function openReply(fifo: string): Reply {
  const r = lstatSync(fifo);
  if (!r.isFIFO() || r.uid !== UID) throw new Error('the reply is not a FIFO of this user\'s');
  return new Reply(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
}

/** The hook client's environment and working directory, from /proc, and its update lines. */
function readClient(req: PushRequest, lines: Uint8Array | string): Client {
  const entries = procStrings(`/proc/${req.pid}/environ`);
  if (!entries) throw new Error(`the environment of pid ${req.pid} cannot be read`);
  const cwd = readlinkSync(`/proc/${req.pid}/cwd`);
  const env = absoluteGitEnv(environOf(entries), cwd, (c, p) => path.resolve(c, p));
  const stdin = typeof lines === 'string' ? lines : textOfBytes(lines);
  return { env, cwd, gitDir: env.GIT_DIR ?? cwd, stdin };
}

/** The hook client's parent (receive-pack), from /proc/<pid>/stat; throws when it cannot be read. */
function parentOf(pid: number): number {
  let parent: number | undefined;
  try {
    parent = parentOfStat(readProcFile(`/proc/${pid}/stat`).toString('latin1'));
  } catch {
    parent = undefined;
  }
  if (parent === undefined) throw new Error(`the parent of pid ${pid} cannot be read`);
  return parent;
}

/** The git directory with every symlink resolved, as git names it to its hooks; itself when it cannot be resolved. */
function realGitDir(gitDir: string): string {
  try {
    return realpathSync.native(gitDir);
  } catch {
    return gitDir;
  }
}

function sameRepo(a: string, b: string): boolean {
  // The usual request: the hook's GIT_DIR made absolute is the path this repository is served by, the very string.
  if (a === b) return true;
  try {
    // The C realpath: one call each, where the JS one makes a stat per component.
    return realpathSync.native(a) === realpathSync.native(b);
  } catch {
    return false;
  }
}

/** undefined when the audit ref can be written (its folder, or refs/ when it has none yet, and objects/); else why not. */
function auditWritable(gitDir: string): string | undefined {
  const refDir = path.join(gitDir, path.dirname(AUDIT_POLICY_REF));
  const candidates = [refDir, path.join(gitDir, 'refs', 'gatos'), path.join(gitDir, 'refs')];
  const where = candidates.find((c) => lstatSync(c, { throwIfNoEntry: false })?.isDirectory());
  for (const p of [where, path.join(gitDir, 'objects')]) {
    if (p === undefined) return 'the repository has no refs/ folder';
    try {
      accessSync(p, constants.W_OK);
    } catch {
      return `${p} is not writable by this user: the audit ref cannot be written`;
    }
  }
  return undefined;
}

/** The bare repositories directly or deeply under `root` (a folder holding HEAD, objects/ and refs/). */
export function reposUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    if (isBareRepo(dir)) {
      out.push(dir);
      return;
    }
    if (depth >= 4) return;
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = path.join(dir, n);
      if (lstatSync(p, { throwIfNoEntry: false })?.isDirectory()) walk(p, depth + 1);
    }
  };
  walk(path.resolve(root), 0);
  return out;
}

/** A folder holding HEAD, objects/, refs/ and config: a bare repository (or a .git folder). */
export function isBareRepo(dir: string): boolean {
  return ['HEAD', 'objects', 'refs'].every((f) => lstatSync(path.join(dir, f), { throwIfNoEntry: false }) !== undefined) && lstatSync(path.join(dir, 'config'), { throwIfNoEntry: false }) !== undefined;
}
