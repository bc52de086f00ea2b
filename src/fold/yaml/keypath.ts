/**
 * Key paths select a value inside an event: `$` is the event, then
 * `.name` (letters, digits, '_' and '$', not starting with a digit),
 * `["any key"]` (a JSON string) or `[3]` (an array index): the notation
 * canonical JSON errors use (src/canon/json-value.ts), so a path in a fold
 * and a path in an error message read alike. The first step must be an
 * event field: journal, commit, ulid, type, actor or payload.
 */
import { formatJsonPath } from '../../canon/json-value';
import type { FoldEvent, FoldInput } from '../contract';
import { EVENT_FIELDS, type EventField, type KeyPath } from './spec';

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
  if (typeof first !== 'string' || !(EVENT_FIELDS as readonly string[]).includes(first)) {
    const hint =
      typeof first === 'string' ? `event fields are ${EVENT_FIELDS.join(', ')}; payload fields are under $.payload, e.g. '$.payload.${first}'` : `event fields are ${EVENT_FIELDS.join(', ')}`;
    return { offset: 1, message: `'${text}' starts at '${String(first)}', which is not an event field`, hint };
  }
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

/** A fast accessor for a path; undefined when the event lacks the value. */
export type Getter = (e: FoldEvent) => FoldInput | undefined;

export function compileGetter(path: KeyPath): Getter {
  const field = path[0] as EventField;
  const rest = path.slice(1) as (string | number)[];
  if (rest.length === 0) return (e) => e[field];
  if (rest.length === 1) {
    const s = rest[0] as string | number;
    return (e) => step(e[field], s);
  }
  if (rest.length === 2) {
    const [s1, s2] = rest as [string | number, string | number];
    return (e) => {
      const v = step(e[field], s1);
      return v === undefined ? undefined : step(v, s2);
    };
  }
  return (e) => {
    let v: FoldInput | undefined = e[field];
    for (const s of rest) {
      if (v === undefined) return undefined;
      v = step(v, s);
    }
    return v;
  };
}

function step(v: FoldInput, s: string | number): FoldInput | undefined {
  if (typeof s === 'number') return Array.isArray(v) ? (v as readonly FoldInput[])[s] : undefined;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Uint8Array) return undefined;
  const rec = v as { readonly [key: string]: FoldInput };
  return Object.prototype.hasOwnProperty.call(rec, s) ? rec[s] : undefined;
}
