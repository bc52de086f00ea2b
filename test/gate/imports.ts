/** Small adapters for the core tests: canonical JSON bytes that throw on a bug. */
import { canonicalJson as cj, type JsonValue } from '../../src/canon/jcs';

export function canonicalJson(v: JsonValue): Uint8Array {
  const r = cj(v);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

