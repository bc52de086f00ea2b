/** The values canonical JSON carries, shared by the strict parser and the canonicalizer. */

/**
 * A JSON value. `bigint` carries integers exactly where a double would round
 * them (|n| > 2^53); see docs/encodings.md for why that goes beyond I-JSON.
 */
export type JsonValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | readonly JsonValue[]
  | { readonly [k: string]: JsonValue };

/**
 * A JSONPath-like name of a place inside a value, for messages:
 * `$.payload.name`, `$.items[3]`, `$["odd key"]`.
 */
export type JsonPath = readonly (string | number)[];

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function formatJsonPath(path: JsonPath): string {
  let out = '$';
  for (const step of path) {
    if (typeof step === 'number') out += `[${step}]`;
    else if (IDENTIFIER.test(step)) out += `.${step}`;
    else out += `[${JSON.stringify(step)}]`;
  }
  return out;
}
