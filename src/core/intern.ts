/**
 * The engine's internalized copy of a string (V8 internalizes property keys).
 * Strings decoded from bytes (.rgc, manifests) are fresh heap strings;
 * interned ones compare with request strings (mostly interned literals or
 * JSON keys) and hash faster. The value is unchanged, only its representation.
 */
export function intern(s: string): string {
  const o: Record<string, true> = {};
  o[s] = true;
  return Object.keys(o)[0] ?? s;
}
