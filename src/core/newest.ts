/** Maps that keep only their newest entries (insertion order: the oldest go first). Pure. */

/** Sets `key` to `value` as the newest entry of `map`, then drops the oldest entries past `max`. */
export function keepNewest<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  for (const k of map.keys()) {
    if (map.size <= max) break;
    map.delete(k);
  }
}
