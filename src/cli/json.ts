/**
 * `--json` output, one casing for every command: snake_case keys, as in the
 * audit entries and the producer formats (docs/cli.md, "JSON output").
 * Objects of the engine (camelCase in TypeScript) pass through `snakeKeys`;
 * maps whose keys are data (file paths, payload fields) must be built by
 * the command and not passed through it.
 */
export const JSON_OPTION = {
  json: { type: 'boolean', default: false, describe: 'print the result as one JSON object (snake_case keys)' },
} as const;

export function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A copy of `v` with every object key in snake_case (arrays and values kept; undefined members dropped as JSON does). */
export function snakeKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(snakeKeys);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [snakeCase(k), snakeKeys(x)]));
}

/** Prints one JSON document on stdout. */
export function printJson(value: unknown, pretty = false): void {
  process.stdout.write(`${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`);
}
