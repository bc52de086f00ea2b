/** Options that change where git looks for trailers; the defaults are git's. */
export interface TrailerOptions {
  /**
   * The comment character (git's core.commentChar, default '#'). Lines that
   * start with it are not trailers and do not break a trailer block.
   */
  readonly commentChar?: string;
  /**
   * When false, a line starting with '---' and whitespace is not taken as the
   * start of a patch (git's --no-divider). Default true.
   */
  readonly divider?: boolean;
}

export interface ResolvedOptions {
  readonly commentChar: string;
  readonly divider: boolean;
}

/** git's default and only separator set without trailer.separators config. */
export const SEPARATORS = ':';

export function resolveOptions(options: TrailerOptions = {}): ResolvedOptions {
  const commentChar = options.commentChar ?? '#';
  if (commentChar.length !== 1 || commentChar === '\n') {
    // A programming error: callers pass a configured single character.
    throw new Error(`commentChar must be one character other than newline, got ${JSON.stringify(commentChar)}`);
  }
  return { commentChar, divider: options.divider ?? true };
}
