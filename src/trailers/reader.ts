/**
 * Reads typed trailer sets (checkpoint, event) out of a message: looks keys
 * up without regard to case, parses each value with its strict parser and
 * records every problem with the place it occurs. Unknown trailers are
 * ignored, as the GATOS draft asks.
 */
import type { SourceLocation } from '../core/diagnostic';
import type { Result } from '../core/result';
import { trailersWithKey } from './lookup';
import type { TrailerOptions } from './options';
import { parseTrailers, type Trailer } from './parse';
import type { TrailerProblem, TrailerProblemKind } from './problems';

export interface ReadOptions {
  /** Names the message in locations, e.g. `commit 1a2b3c4`. Default 'message'. */
  readonly source?: string;
  readonly trailerOptions?: TrailerOptions;
}

type Parse<T> = (value: string) => Result<T>;

export class TrailerReader {
  readonly problems: TrailerProblem[] = [];
  private readonly trailers: readonly Trailer[];
  private readonly source: string;
  /** Where a missing trailer would go: the line after the last trailer, or after the message. */
  private readonly missingAt: SourceLocation;

  constructor(message: string, options: ReadOptions = {}) {
    this.trailers = parseTrailers(message, options.trailerOptions);
    this.source = options.source ?? 'message';
    const last = this.trailers[this.trailers.length - 1];
    const lines = message.split('\n').length;
    this.missingAt = { file: this.source, line: last ? last.line + 1 : lines, column: 1 };
  }

  /** A trailer that must appear exactly once. */
  required<T>(key: string, parse: Parse<T>, hint: string): { value: T; at: Trailer } | undefined {
    const found = trailersWithKey(this.trailers, key);
    if (found.length === 0) {
      this.missing(key, `required trailer '${key}' is missing`, `add a line '${key}: ${hint}' to the trailer block (the last paragraph)`);
      return undefined;
    }
    return this.single(key, found, parse);
  }

  /** A trailer that may appear at most once. */
  optional<T>(key: string, parse: Parse<T>): { value: T; at: Trailer } | undefined {
    const found = trailersWithKey(this.trailers, key);
    return found.length === 0 ? undefined : this.single(key, found, parse);
  }

  /** Every occurrence of a repeatable trailer; values that do not parse are reported and left out. */
  all<T>(key: string, parse: Parse<T>): { value: T; at: Trailer }[] {
    const out: { value: T; at: Trailer }[] = [];
    for (const t of trailersWithKey(this.trailers, key)) {
      const v = this.parseOne(key, t, parse);
      if (v !== undefined) out.push({ value: v, at: t });
    }
    return out;
  }

  /** A repeatable trailer that must appear at least once. */
  atLeastOne<T>(key: string, parse: Parse<T>, hint: string): { value: T; at: Trailer }[] {
    if (this.count(key) === 0) {
      this.missing(key, `required trailer '${key}' is missing`, `add a line '${key}: ${hint}' to the trailer block (the last paragraph)`);
      return [];
    }
    return this.all(key, parse);
  }

  /** How many trailers carry `key`, whether or not their values parse. */
  count(key: string): number {
    return trailersWithKey(this.trailers, key).length;
  }

  add(trailer: string, kind: TrailerProblemKind, message: string, location: SourceLocation | Trailer | undefined, hint?: string): void {
    const loc = location && 'file' in location ? location : location ? this.locationOf(location) : this.missingAt;
    this.problems.push({ code: 'TRAILER_INVALID', trailer, kind, message, location: loc, ...(hint ? { hint } : {}) });
  }

  missing(trailer: string, message: string, hint: string): void {
    this.add(trailer, 'missing', message, this.missingAt, hint);
  }

  locationOf(t: Trailer): SourceLocation {
    return { file: this.source, line: t.valueLine, column: t.valueColumn, length: Math.max(1, t.value.length) };
  }

  private single<T>(key: string, found: Trailer[], parse: Parse<T>): { value: T; at: Trailer } | undefined {
    const first = found[0] as Trailer;
    if (found.length > 1) {
      const lines = found.map((t) => t.line).join(', ');
      for (const extra of found.slice(1)) {
        this.add(key, 'repeated', `trailer '${key}' appears ${found.length} times (lines ${lines}); it must appear once`, extra, `keep one '${key}' line: a repeated value is ambiguous`);
      }
      return undefined;
    }
    const v = this.parseOne(key, first, parse);
    return v === undefined ? undefined : { value: v, at: first };
  }

  private parseOne<T>(key: string, t: Trailer, parse: Parse<T>): T | undefined {
    const r = parse(t.value);
    if (r.ok) return r.value;
    this.add(key, 'malformed', `trailer '${key}': ${r.error.message}`, t, r.error.hint);
    return undefined;
  }
}
