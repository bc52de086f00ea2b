/**
 * The wire between the installed pre-receive hook (a POSIX sh client,
 * src/hooks/pre-receive-stub.sh) and `gatos serve`, over FIFOs in
 * $GIT_DIR/gatos/daemon/ (docs/daemon.md, docs/decisions/0025). Pure: text
 * in, text out.
 *
 * The daemon's files:
 *   daemon/          mode 0700, owned by the daemon's user
 *   daemon/pid       `gatos-daemon-2 <pid> <start time> <fd>`: the client checks
 *                    the process is alive, is its own user's, and holds the
 *                    request FIFO open on descriptor <fd> (a reused pid does not)
 *   daemon/requests  FIFO 0600: one request line per push
 * A push of a few plain update lines (the usual one) is sent inline:
 * the client makes the FIFO daemon/r.<nonce> for the reply and writes
 *   gatos-push-2 <nonce> <client pid> <old> <new> <ref> [<old> <new> <ref>]...
 * (each update line's three fields, in order). Any other push (more lines,
 * longer, or a line that is not three plain fields) goes through a private
 * folder daemon/c.XXXXXX holding `stdin` (the push's update lines, as git
 * gave them) and the FIFO `reply`, with the line
 *   gatos-push-1 <nonce> <client pid> c.XXXXXX
 * Both stay under PIPE_BUF, so concurrent clients never interleave. The
 * inline form saves the client three processes (mktemp, cat, rm; about
 * 2.5 ms each, decision 0038). When git's stdin is a pipe (always, under
 * receive-pack) the inline client makes no FIFO at all (decision 0047): it
 * creates the plain file daemon/r.<nonce> (noclobber, a shell builtin) and
 * writes
 *   gatos-push-3 <nonce> <client pid> <old> <new> <ref> [<old> <new> <ref>]...
 * and the daemon writes the reply into the client's stdin, a pipe it opens
 * as /proc/<client pid>/fd/0 (this user's pipe, or nothing is written).
 * Once the marker is gone the client holds no writing end of that pipe
 * (decision 0050): the daemon's is the last, so the daemon must open it
 * before removing the marker, and closing it (or dying) before `x` sends
 * the push cold.
 * The daemon accepts by removing r.<nonce> once it holds the reply open
 * (or by creating c.XXXXXX/accepted), reads the client's environment from
 * /proc, decides, and writes on the reply one message per line:
 *   o<text>   a line for the client's stderr (git shows it as `remote:`)
 *   r<text>   a progress line, ended by a carriage return instead
 *   c <nonce> the daemon will not decide this push: decide it cold
 *   x <nonce> <status>   the end: the hook's exit status
 * A reply whose nonce is not the request's is refused by the client.
 */

export const REQUEST_MAGIC = 'gatos-push-1';
export const INLINE_MAGIC = 'gatos-push-2';
/** Inline, the reply written into the client's stdin pipe (decision 0047). */
export const STDIN_REPLY_MAGIC = 'gatos-push-3';
export const PID_MAGIC = 'gatos-daemon-2';
/** The longest request line the daemon reads (under PIPE_BUF, 4096 on Linux, with its newline); anything longer is dropped. */
export const MAX_REQUEST_LINE = 4000;

interface RequestBase {
  /** 32 lower-case hex digits the client drew from the kernel's random source; the reply must carry it back. */
  readonly nonce: string;
  readonly pid: number;
}

export type PushRequest =
  /** The update lines are in the client's folder, a name inside daemon/ (never a path), beside its reply FIFO. */
  | (RequestBase & { readonly dir: string })
  /**
   * The update lines came in the request. The reply goes to the FIFO
   * daemon/r.<nonce>, or with `replyOnStdin` into the client's stdin pipe,
   * r.<nonce> then being a plain file that marks the request unaccepted.
   */
  | (RequestBase & { readonly stdin: string; readonly replyOnStdin?: true });

/** The reply FIFO of an inline request: a name inside daemon/. */
export const inlineReplyName = (nonce: string): string => `r.${nonce}`;

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

const NONCE = /^[0-9a-f]{32}$/;
const PID = /^[1-9][0-9]{0,9}$/;
const DIR = /^c\.[A-Za-z0-9]{6,16}$/;
/** An inline update's fields: what the client lets through (anything else goes through a folder, as git gave it). */
const ID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;
const REF = /^[A-Za-z0-9/._+@-]+$/;

export function parseRequestLine(line: string): Parsed<PushRequest> {
  if (line.length > MAX_REQUEST_LINE) return { ok: false, reason: 'request line too long' };
  const parts = line.split(' ');
  const [magic, nonce = '', pid = '', ...rest] = parts;
  if (magic !== REQUEST_MAGIC && magic !== INLINE_MAGIC && magic !== STDIN_REPLY_MAGIC) return { ok: false, reason: `not a ${REQUEST_MAGIC}, ${INLINE_MAGIC} or ${STDIN_REPLY_MAGIC} request` };
  if (!NONCE.test(nonce)) return { ok: false, reason: 'the nonce is not 32 hex digits' };
  if (!PID.test(pid)) return { ok: false, reason: 'the client pid is not a number' };
  if (magic === REQUEST_MAGIC) {
    const [dir = '', ...more] = rest;
    if (more.length > 0 || !DIR.test(dir)) return { ok: false, reason: 'the client folder is not c.XXXXXX' };
    return { ok: true, value: { nonce, pid: Number(pid), dir } };
  }
  if (rest.length === 0 || rest.length % 3 !== 0) return { ok: false, reason: 'the update lines are not <old> <new> <ref> triples' };
  let stdin = '';
  for (let i = 0; i < rest.length; i += 3) {
    const [oldId = '', newId = '', ref = ''] = rest.slice(i, i + 3);
    if (!ID.test(oldId) || !ID.test(newId) || oldId.length !== newId.length || !REF.test(ref)) return { ok: false, reason: `update ${i / 3 + 1} is not <old> <new> <ref>` };
    stdin += `${oldId} ${newId} ${ref}\n`;
  }
  return { ok: true, value: { nonce, pid: Number(pid), stdin, ...(magic === STDIN_REPLY_MAGIC ? { replyOnStdin: true as const } : {}) } };
}

/** Splits a byte stream into lines, dropping any line longer than `max` (and everything up to its end). */
export class LineSplitter {
  private pending = '';
  private skipping = false;

  constructor(private readonly max: number = MAX_REQUEST_LINE) {}

  push(chunk: string): string[] {
    const out: string[] = [];
    let text = this.pending + chunk;
    this.pending = '';
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n')) {
      const line = text.slice(0, nl);
      text = text.slice(nl + 1);
      if (this.skipping) this.skipping = false;
      else if (line.length <= this.max) out.push(line);
    }
    if (text.length > this.max) this.skipping = true;
    else if (!this.skipping) this.pending = text;
    return out;
  }
}

/** A line the gate prints (one `remote:` line each); a line break inside it starts another message. */
export function outputMessage(line: string): string {
  return line
    .split(/\r?\n/)
    .map((l) => `o${l}\n`)
    .join('');
}

/** What the hook writes raw to stderr: progress ends in \r (one `r` message), anything else is lines. */
export function writeMessage(text: string): string {
  if (text.endsWith('\r') && !text.slice(0, -1).includes('\n')) return `r${text.slice(0, -1).replace(/\r/g, '')}\n`;
  return outputMessage(text.endsWith('\n') ? text.slice(0, -1) : text);
}

export function endMessage(nonce: string, status: number): string {
  return `x ${nonce} ${status}\n`;
}

export function coldMessage(nonce: string): string {
  return `c ${nonce}\n`;
}

export function pidFileText(pid: number, startTime: string, requestFd: number): string {
  return `${PID_MAGIC} ${pid} ${startTime} ${requestFd}\n`;
}

/**
 * The environment a process started with, from its NUL-separated
 * /proc/<pid>/environ strings: NAME=value, the first '=' splits; entries
 * without one are dropped, as the C library would.
 */
export function environOf(entries: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of entries) {
    const eq = e.indexOf('=');
    if (eq > 0) env[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return env;
}

/** The parent pid (4th field) of a /proc/<pid>/stat line, counted after the command name's last ')'. */
export function parentOfStat(stat: string): number | undefined {
  const close = stat.lastIndexOf(') ');
  if (close < 0) return undefined;
  const ppid = stat.slice(close + 2).split(' ')[1];
  return ppid !== undefined && PID.test(ppid) ? Number(ppid) : undefined;
}

const GIT_PATH_VARS = ['GIT_DIR', 'GIT_OBJECT_DIRECTORY', 'GIT_QUARANTINE_PATH'] as const;

/**
 * The hook's git variables made absolute against the hook's working
 * directory (git runs hooks in the repository and may give relative paths,
 * e.g. GIT_DIR=.), so the daemon's git processes, which run elsewhere, see
 * the same repository and the same quarantine. Alternates are a ':' list; a
 * quoted entry (git's C quoting) is left as it is.
 */
export function absoluteGitEnv(env: Record<string, string>, cwd: string, resolve: (cwd: string, p: string) => string): Record<string, string> {
  const out = { ...env };
  for (const k of GIT_PATH_VARS) {
    const v = out[k];
    if (v !== undefined && v !== '') out[k] = resolve(cwd, v);
  }
  const alt = out.GIT_ALTERNATE_OBJECT_DIRECTORIES;
  if (alt !== undefined && alt !== '' && !alt.startsWith('"')) {
    out.GIT_ALTERNATE_OBJECT_DIRECTORIES = alt
      .split(':')
      .map((p) => (p === '' ? p : resolve(cwd, p)))
      .join(':');
  }
  return out;
}
