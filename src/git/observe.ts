/**
 * What one repository view was asked that can change while its objects
 * cannot: the refs it read (and their values), the ref lists it took, and
 * the git processes it started (whose answers nothing here follows). A
 * decision made ahead of its request (src/serve/ahead.ts) is used only when
 * every ref it read still holds the same value, every list is the same and
 * no process ran: objects are named by their hash, so everything else it
 * read is the same by construction. A record only (no I/O).
 */
export class RepoReads {
  /** Each ref read and the value it had (undefined: no such ref). */
  readonly refs = new Map<string, string | undefined>();
  /** Each ref listing: its patterns and its answer, as text. */
  readonly lists: { readonly patterns: readonly string[]; readonly answer: string }[] = [];
  /** Git processes started (or, with `refuseProcesses`, asked for). */
  processes = 0;
  /** Reads that failed, or a ref that read differently twice: what was decided then cannot be vouched for. */
  doubts = 0;

  constructor(
    /**
     * Whether the view starts no git process at all: the first one asked for fails as a process that could not
     * start (counted, so the decision is never used). A decision made ahead that needs git is discarded anyway;
     * going on would spend the daemon's CPU and git processes for nothing (docs/security.md, 8.1).
     */
    readonly refuseProcesses = false,
  ) {}

  ref(name: string, value: string | undefined): void {
    if (this.refs.has(name) && this.refs.get(name) !== value) this.doubts++;
    this.refs.set(name, value);
  }

  /** Told before a git process starts through the view; throws (the process is not started) when they are refused. */
  spawned(args: readonly string[]): void {
    this.processes++;
    if (this.refuseProcesses) throw new Error(`no git process for a decision made ahead (git ${args[0] ?? ''})`);
  }
}
