/**
 * The order of interleaved measurements. A push leaves something behind for
 * the next one (a cold Node hook's exit, the daemon's work after its reply):
 * measured in the daemon bench, the push before moves the next one's time by
 * up to 2 ms (decision 0062). Rotating one order gives each row the same
 * neighbour in every round; a Williams square gives each row every neighbour
 * alike.
 */

/**
 * Round `round`'s order of `n` pushes (n even): row `round mod n` of a Williams
 * square, 0, 1, n-1, 2, n-2, ... shifted by the round. Over n rounds every
 * push follows every other exactly once, so what a push leaves behind (a cold
 * Node hook's exit, the daemon's work after its reply) falls on every row alike.
 */
export function williamsOrder(n: number, round: number): number[] {
  const first = [0];
  for (let k = 1; first.length < n; k++) {
    first.push(k);
    if (first.length < n) first.push(n - k);
  }
  return first.map((v) => (v + round) % n);
}
