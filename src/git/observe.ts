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
  /** Git processes started. */
  processes = 0;
  /** Reads that failed, or a ref that read differently twice: what was decided then cannot be vouched for. */
  doubts = 0;

  ref(name: string, value: string | undefined): void {
    if (this.refs.has(name) && this.refs.get(name) !== value) this.doubts++;
    this.refs.set(name, value);
  }
}
