/** Key comparison and lookups over parsed trailers: keys match without regard to ASCII case. */
import { asciiLower } from './chars';

export function sameKey(a: string, b: string): boolean {
  return a.length === b.length && asciiLower(a) === asciiLower(b);
}

/** Every trailer with `key`, in message order. */
export function trailersWithKey<T extends { readonly key: string }>(trailers: readonly T[], key: string): T[] {
  return trailers.filter((t) => sameKey(t.key, key));
}

/** The values of every trailer with `key`, in message order. */
export function trailerValues(trailers: readonly { readonly key: string; readonly value: string }[], key: string): string[] {
  return trailersWithKey(trailers, key).map((t) => t.value);
}
