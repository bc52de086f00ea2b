/**
 * "Did you mean" for misspelt names, for every diagnostic that names an
 * unknown key, kind, attribute or predicate (rgs and fold sources alike): the
 * closest candidate within a small edit distance. The allowance grows with
 * the name (a third of its length, at least 1, at most 3) so that a short
 * name is not matched to an unrelated one; a swap of two neighbouring
 * letters counts as one edit ('wirte' is one from 'write'). Ties go to the
 * first candidate in sorted order, so the hint never depends on the order
 * the candidates were listed in. Pure.
 */

/** The closest candidate to `name` (case-insensitive), or undefined when none is close enough. */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Math.max(1, Math.min(3, Math.floor(name.length / 3)));
  for (const c of [...candidates].sort()) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDist || (d === bestDist && best === undefined)) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

/** "did you mean 'x'?" for the closest candidate, else `fallback`. */
export function didYouMean(name: string, candidates: readonly string[], fallback: string): string {
  const c = closest(name, candidates);
  return c === undefined ? fallback : `did you mean '${c}'?`;
}

/** Damerau-Levenshtein (optimal string alignment) distance. */
function distance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array<number>(rows * cols).fill(0);
  const at = (i: number, j: number): number => d[i * cols + j] as number;
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, at(i - 2, j - 2) + 1);
      d[i * cols + j] = v;
    }
  }
  return at(a.length, b.length);
}
