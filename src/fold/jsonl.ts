/**
 * Events from a JSON Lines text: one event per line,
 *
 *   {"journal":"refs/gatos/journal/finance/user/alice","commit":"<id>",
 *    "ulid":"01J...","type":"invoice.created","actor":"user:alice","payload":{...}}
 *
 * `commit` may be left out (it becomes `line-<n>`); other envelope fields are
 * ignored; blank lines are skipped. Each line goes through the strict JSON
 * parser (duplicate keys, lone surrogates refused; big integers exact) and
 * then the event converter (non-integer numbers refused). Errors carry the
 * file and line.
 */
import { parseJsonStrict } from '../canon/jcs';
import { err, gateError, ok, type Result } from '../core/result';
import type { FoldEvent } from './contract';
import { foldEventFromEnvelope } from './event-input';

export function parseEventLines(text: string, file: string): Result<FoldEvent[]> {
  const events: FoldEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = (lines[i] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    const parsed = parseJsonStrict(line, file);
    if (!parsed.ok) {
      const column = parsed.error.location?.column ?? 1;
      const message = parsed.error.message.replace(/^.*?:\d+:\d+: /, '');
      return err(gateError('ENCODING_INVALID', message, { hint: parsed.error.hint, location: { file, line: lineNo, column } }));
    }
    const obj = parsed.value;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      return err(gateError('FOLD_ERROR', 'each line must be one JSON object (an event)', { hint: 'write {"journal": ..., "ulid": ..., "type": ..., "actor": ..., "payload": ...}', location: { file, line: lineNo, column: 1 } }));
    }
    const rec = obj as Readonly<Record<string, unknown>>;
    const origin = { journal: rec.journal as string, commit: rec.commit === undefined ? `line-${lineNo}` : (rec.commit as string) };
    const e = foldEventFromEnvelope(rec, origin);
    if (!e.ok) return err({ ...e.error, location: { file, line: lineNo, column: 1 } });
    events.push(e.value);
  }
  return ok(events);
}
