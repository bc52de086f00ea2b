/**
 * Key paths select a value inside an event: `$` is the event, then
 * `.name` (letters, digits, '_' and '$', not starting with a digit),
 * `["any key"]` (a JSON string) or `[3]` (an array index): the notation
 * canonical JSON errors use (src/canon/json-value.ts), so a path in a fold
 * and a path in an error message read alike. The first step is an event
 * field (journal, commit, ulid, type, actor, payload); any other name is a
 * payload field, as the FAQ writes it: `$.id` is `$.payload.id`.
 */
import { formatJsonPath } from '../../canon/json-value';
import { EVENT_FIELDS, type KeyPath } from './spec';

export interface KeyPathProblem {
  /** Offset inside the path text. */
  readonly offset: number;
  readonly message: string;
  readonly hint: string;
}

const NAME = /[A-Za-z_$][A-Za-z0-9_$]*/y;
const INDEX = /\[(0|[1-9][0-9]{0,8})\]/y;
// eslint-disable-next-line no-control-regex -- control characters are what this refuses
const QUOTED = /\["(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*"\]/y;

export function parseKeyPath(text: string): KeyPath | KeyPathProblem {
  const example = "write e.g. '$.payload.id' or '$.payload[\"odd key\"]'";
  if (!text.startsWith('$')) return { offset: 0, message: `the key path '${text}' does not start with '$'`, hint: example };
  const steps: (string | number)[] = [];
  let at = 1;
  while (at < text.length) {
    const c = text[at];
    if (c === '.') {
      NAME.lastIndex = at + 1;
      const m = NAME.exec(text);
      if (!m) return { offset: at + 1, message: `expected a field name after '.' in '${text}'`, hint: `names use letters, digits, '_' and '$'; write other keys as ["key"]; ${example}` };
      steps.push(m[0]);
      at = NAME.lastIndex;
    } else if (c === '[') {
      INDEX.lastIndex = at;
      const idx = INDEX.exec(text);
      if (idx) {
        steps.push(Number(idx[1]));
        at = INDEX.lastIndex;
        continue;
      }
      QUOTED.lastIndex = at;
      const q = QUOTED.exec(text);
      if (!q) return { offset: at, message: `expected [<index>] or ["<key>"] in '${text}'`, hint: 'indexes are non-negative integers; keys are JSON strings in double quotes' };
      steps.push(JSON.parse(q[0].slice(1, -1)) as string);
      at = QUOTED.lastIndex;
    } else {
      return { offset: at, message: `unexpected '${c}' in the key path '${text}'`, hint: example };
    }
  }
  const first = steps[0];
  if (first === undefined) return { offset: 0, message: `the key path '$' names the whole event`, hint: 'select a field, e.g. $.payload or $.type' };
  if (typeof first !== 'string') {
    return { offset: 1, message: `'${text}' starts with an index; the event is a map`, hint: `start with an event field (${EVENT_FIELDS.join(', ')}) or a payload field` };
  }
  // The FAQ's short form: a name that is not an envelope field is a payload field ($.id = $.payload.id).
  if (!(EVENT_FIELDS as readonly string[]).includes(first)) return ['payload', ...steps] as unknown as KeyPath;
  if (first !== 'payload' && steps.length > 1) {
    return { offset: 1 + first.length + 1, message: `'$.${first}' is a string; it has no fields`, hint: 'only $.payload has fields inside it' };
  }
  return steps as unknown as KeyPath;
}

export function isKeyPathProblem(p: KeyPath | KeyPathProblem): p is KeyPathProblem {
  return !Array.isArray(p);
}

export function formatKeyPath(path: readonly (string | number)[]): string {
  return formatJsonPath(path);
}
