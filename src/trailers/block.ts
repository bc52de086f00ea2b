/**
 * Finding the trailer block of a commit message by git's rules (the ones
 * `git interpret-trailers` and `%(trailers)` apply):
 *
 * 1. The message ends at a patch divider: the first line that starts with
 *    '---' followed by whitespace (unless the divider is turned off).
 * 2. Before that, a scissors line ("# ---- >8 ----") and everything after it,
 *    and a trailing run of comment lines, blank lines and old-style
 *    "Conflicts:" blocks are not part of the message proper.
 * 3. The trailer block is the last paragraph of what remains, never the
 *    first paragraph (the title), and only when every line is a trailer or a
 *    continuation, or when it holds a git-generated line (Signed-off-by,
 *    "(cherry picked from commit") and at least a quarter of its lines are
 *    trailers.
 *
 * Positions are UTF-16 indexes into the message; every character the rules
 * look at is ASCII, so they agree with git's byte offsets line for line.
 */
import { findSeparator, isGitSpace } from './chars';
import { SEPARATORS, type ResolvedOptions } from './options';

/** Lines git writes itself; one of them lets a mixed paragraph count as a trailer block. */
const GIT_GENERATED_PREFIXES: readonly string[] = ['Signed-off-by: ', '(cherry picked from commit '];

const SCISSORS = '------------------------ >8 ------------------------\n';

/** One entry of the block: a line plus the continuation lines folded into it. */
export interface BlockItem {
  /** The raw text, continuation lines included, each with its line end. */
  readonly text: string;
  /** Offset of the item's first character in the message. */
  readonly offset: number;
}

export interface TrailerBlock {
  /** Offset where the block starts (equal to `end` when there is none). */
  readonly start: number;
  /** Offset just past the block; what follows is kept as is by formatting. */
  readonly end: number;
  /** Whether the line before `start` is blank, i.e. no blank line needs adding. */
  readonly blankLineBefore: boolean;
  readonly items: readonly BlockItem[];
}

export function findTrailerBlock(message: string, opts: ResolvedOptions): TrailerBlock {
  // git reads the message as a C string: a NUL ends it for every rule below.
  const nul = message.indexOf('\0');
  const text = nul < 0 ? message : message.slice(0, nul);
  const patchStart = opts.divider ? findPatchStart(text) : text.length;
  const end = findMessageEnd(text, patchStart, opts.commentChar);
  const start = findBlockStart(text, end, opts.commentChar);
  return {
    start,
    end,
    blankLineBefore: endsWithBlankLine(text, start),
    items: splitItems(text, start, end),
  };
}

function nextLine(text: string, at: number): number {
  const nl = text.indexOf('\n', at);
  return nl < 0 ? text.length : nl + 1;
}

/** Start of the last line that begins before `len` (a final line end belongs to its line); -1 if len is 0. */
function lastLine(text: string, len: number): number {
  if (len === 0) return -1;
  if (len === 1) return 0;
  const nl = text.lastIndexOf('\n', len - 2);
  return nl < 0 ? 0 : nl + 1;
}

function isBlankLine(text: string, at: number): boolean {
  let i = at;
  while (i < text.length && text[i] !== '\n' && isGitSpace(text[i])) i++;
  return i >= text.length || text[i] === '\n';
}

function endsWithBlankLine(text: string, len: number): boolean {
  const ll = lastLine(text, len);
  return ll >= 0 && isBlankLine(text, ll);
}

function findPatchStart(text: string): number {
  for (let s = 0; s < text.length; s = nextLine(text, s)) {
    if (text.startsWith('---', s) && isGitSpace(text[s + 3])) return s;
  }
  return text.length;
}

/** Where the scissors line starts, or `len` when there is none. */
function scissorsCutoff(text: string, len: number, commentChar: string): number {
  const pattern = `\n${commentChar} ${SCISSORS}`;
  if (text.startsWith(pattern.slice(1))) return 0;
  const at = text.indexOf(pattern);
  // git searches the whole message, even past a patch divider. A scissors line
  // after the divider makes git 2.39 loop forever; the only answer that
  // terminates and agrees with git everywhere else is to stop at the divider.
  return at < 0 ? len : Math.min(at + 1, len);
}

/**
 * End of the message proper: drops a trailing run of comment lines, empty
 * lines and "Conflicts:" blocks (with their tab-indented paths), and
 * everything from a scissors line on.
 */
function findMessageEnd(text: string, len: number, commentChar: string): number {
  const cutoff = scissorsCutoff(text, len, commentChar);
  // 0 doubles as "no run started", exactly as in git: a run that starts at
  // offset 0 is therefore forgotten, and the cutoff wins.
  let runStart = 0;
  let inConflicts = false;
  for (let bol = 0; bol < cutoff; ) {
    const nl = text.indexOf('\n', bol);
    const next = nl < 0 || nl >= len ? len : nl + 1;
    const first = text[bol];
    if (first === commentChar || first === '\n') {
      if (!runStart) runStart = bol;
    } else if (text.startsWith('Conflicts:\n', bol)) {
      inConflicts = true;
      if (!runStart) runStart = bol;
    } else if (inConflicts && first === '\t') {
      // a path listed in the conflicts block
    } else if (runStart) {
      runStart = 0;
      inConflicts = false;
    }
    bol = next;
  }
  return runStart ? runStart : cutoff;
}

/** Start of the trailer block in text[0, len), or `len` when the last paragraph is not one. */
function findBlockStart(text: string, len: number, commentChar: string): number {
  // The first paragraph is the title and never holds trailers.
  let endOfTitle = 0;
  for (; endOfTitle < len; endOfTitle = nextLine(text, endOfTitle)) {
    if (text[endOfTitle] === commentChar) continue;
    if (isBlankLine(text, endOfTitle)) break;
  }

  let onlySpaces = true;
  let recognizedPrefix = false;
  let trailerLines = 0;
  let nonTrailerLines = 0;
  // Indented lines seen so far (scanning upwards): continuations if a trailer
  // sits above them, otherwise ordinary prose.
  let possibleContinuations = 0;

  for (let l = lastLine(text, len); l >= endOfTitle; l = lastLine(text, l)) {
    const first = text[l];
    if (first === commentChar) {
      nonTrailerLines += possibleContinuations;
      possibleContinuations = 0;
      continue;
    }
    if (isBlankLine(text, l)) {
      if (onlySpaces) continue;
      nonTrailerLines += possibleContinuations;
      if (recognizedPrefix && trailerLines * 3 >= nonTrailerLines) return nextLine(text, l);
      if (trailerLines && !nonTrailerLines) return nextLine(text, l);
      return len;
    }
    onlySpaces = false;

    if (GIT_GENERATED_PREFIXES.some((p) => text.startsWith(p, l))) {
      trailerLines++;
      possibleContinuations = 0;
      recognizedPrefix = true;
      continue;
    }
    const lineEnd = text.indexOf('\n', l);
    const line = text.slice(l, lineEnd < 0 ? text.length : lineEnd);
    if (findSeparator(line, SEPARATORS) >= 1 && !isGitSpace(first)) {
      trailerLines++;
      possibleContinuations = 0;
    } else if (isGitSpace(first)) {
      possibleContinuations++;
    } else {
      nonTrailerLines += 1 + possibleContinuations;
      possibleContinuations = 0;
    }
  }
  return len;
}

/** Splits the block into items, folding indented lines into the trailer above them. */
function splitItems(text: string, start: number, end: number): BlockItem[] {
  const items: { text: string; offset: number }[] = [];
  let canContinue = false;
  for (let at = start; at < end; ) {
    const nl = text.indexOf('\n', at);
    const next = nl < 0 || nl + 1 > end ? end : nl + 1;
    const line = text.slice(at, next);
    const last = items[items.length - 1];
    if (canContinue && last && isGitSpace(line[0])) {
      last.text += line;
    } else {
      items.push({ text: line, offset: at });
      canContinue = findSeparator(line, SEPARATORS) >= 1;
    }
    at = next;
  }
  return items;
}
