/**
 * Parses the bytes of a commit object the way git writes them: `tree`, then
 * `parent`*, `author`, `committer`, further headers (continuation lines start
 * with a space), a blank line, the message. Pure. Headers must be UTF-8;
 * anything else is refused rather than guessed at (fail closed).
 *
 * What git's fsck calls malformed is refused here too, whatever
 * receive.fsckObjects says (the gate never rests on one layer): NUL bytes
 * anywhere, identities not exactly `name <email> seconds ±hhmm` (a space
 * before '<' and after '>', no zero-padded or overflowing date, a four-digit
 * zone), a second author, tree/parent/author/committer out of place.
 */
import { strictUtf8 } from './text';
import { err, gateError, ok, type GateError, type Result } from '../core/result';
import { isObjectId, type ObjectFormat } from './object-id';

export interface Identity {
  readonly name: string;
  readonly email: string;
  /** Seconds since the epoch, as recorded. */
  readonly seconds: number;
  /** The recorded offset, e.g. "+0130". */
  readonly tz: string;
}

export interface CommitHeader {
  readonly key: string;
  /** Continuation lines joined with "\n", their leading space removed. */
  readonly value: string;
}

export interface Commit {
  readonly id: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: Identity;
  readonly committer: Identity;
  /** Headers after committer (gpgsig, mergetag, encoding, ...) in order. */
  readonly extraHeaders: readonly CommitHeader[];
  readonly messageBytes: Uint8Array;
  /** The message when it is valid UTF-8; undefined otherwise (see messageBytes). */
  readonly message: string | undefined;
}

// git's fsck_ident: a space before '<' and after '>', seconds without zero padding, a zone of four digits.
const IDENT_RE = /^([^<>\n]*?) <([^<>\n]*)> (0|[1-9]\d{0,14}) ([+-]\d{4})$/;

export function parseIdentity(text: string): Identity | undefined {
  const m = IDENT_RE.exec(text);
  if (!m) return undefined;
  const seconds = Number(m[3]);
  if (!Number.isSafeInteger(seconds)) return undefined;
  return { name: m[1] ?? '', email: m[2] ?? '', seconds, tz: m[4] ?? '' };
}

export function formatIdentity(i: Identity): string {
  return `${i.name} <${i.email}> ${i.seconds} ${i.tz}`;
}

function headerEnd(data: Uint8Array): { header: number; message: number } | undefined {
  const blank = Buffer.from(data.buffer, data.byteOffset, data.byteLength).indexOf('\n\n');
  if (blank !== -1) return { header: blank, message: blank + 2 };
  // A commit with no message may lack the blank line altogether.
  return data.length > 0 && data[data.length - 1] === 10 ? { header: data.length - 1, message: data.length } : undefined;
}

export function parseCommit(id: string, data: Uint8Array, format: ObjectFormat): Result<Commit, GateError> {
  const bad = (why: string) =>
    err(gateError('ENCODING_INVALID', `commit ${id} is not a well-formed git commit: ${why}`, { hint: 'write commits with git itself (git fsck calls this one malformed); a forged commit is never accepted' }));
  if (data.includes(0)) return bad('it holds a NUL byte');
  const ends = headerEnd(data);
  if (!ends) return bad('no end of header');
  const headerText = strictUtf8(data.subarray(0, ends.header));
  if (headerText === undefined) return bad('header is not UTF-8');
  const headers: { key: string; value: string }[] = [];
  for (const line of headerText.split('\n')) {
    if (line.startsWith(' ')) {
      const last = headers[headers.length - 1];
      if (!last) return bad('continuation line before any header');
      last.value += `\n${line.slice(1)}`;
      continue;
    }
    const sp = line.indexOf(' ');
    if (sp <= 0) return bad(`header line without a key: ${JSON.stringify(line.slice(0, 60))}`);
    headers.push({ key: line.slice(0, sp), value: line.slice(sp + 1) });
  }
  let at = 0;
  const tree = headers[at];
  if (tree?.key !== 'tree' || !isObjectId(format, tree.value)) return bad('first header must be tree <id>');
  at++;
  const parents: string[] = [];
  while (headers[at]?.key === 'parent') {
    const p = headers[at]?.value ?? '';
    if (!isObjectId(format, p)) return bad(`bad parent id ${JSON.stringify(p.slice(0, 70))}`);
    parents.push(p);
    at++;
  }
  const authorHeader = headers[at];
  const author = authorHeader?.key === 'author' ? parseIdentity(authorHeader.value) : undefined;
  if (!author) return bad('expected a well-formed author after the parents');
  at++;
  const committerHeader = headers[at];
  const committer = committerHeader?.key === 'committer' ? parseIdentity(committerHeader.value) : undefined;
  if (!committer) return bad('expected a well-formed committer after author');
  at++;
  const extraHeaders = headers.slice(at);
  for (const h of extraHeaders) {
    if (['tree', 'parent', 'author', 'committer'].includes(h.key)) return bad(`header ${h.key} out of place`);
  }
  const messageBytes = data.subarray(ends.message);
  return ok({ id, tree: tree.value, parents, author, committer, extraHeaders, messageBytes, message: strictUtf8(messageBytes) });
}
