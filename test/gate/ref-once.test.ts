/**
 * One update per ref (src/gate/ref-once.ts) and the rules evaluate mode
 * never relaxes (src/gate/verdict.ts), pure: a push naming a ref twice is
 * refused on both updates, chained or not, and nothing else changes.
 */
import { verdictOf } from '../../src/gate';
import type { RefDecision } from '../../src/gate/decide';
import { enforcedIn } from '../../src/gate/verdict';
import { oneUpdatePerRef } from '../../src/gate/ref-once';

const id = (c: string) => c.repeat(40);
const allowed = (ref: string, oldId: string, newId: string): RefDecision => ({ ref, oldId, newId, intent: 'fast_forward', allowed: true, denials: [], allowedBy: ['r'], commits: [], events: 0 });

describe('one update per ref', () => {
  test('a ref named twice is refused on each update, even when they chain; the other refs are untouched', () => {
    const state = 'refs/gatos/state/notes';
    const out = oneUpdatePerRef([allowed(state, id('a'), id('b')), allowed('refs/heads/main', id('c'), id('d')), allowed(state, id('b'), id('e'))]);
    expect(out.map((d) => d.allowed)).toEqual([false, true, false]);
    expect(out[1]).toEqual(allowed('refs/heads/main', id('c'), id('d')));
    for (const d of [out[0], out[2]]) expect(d?.denials).toEqual([expect.objectContaining({ code: 'POLICY_DENY', ruleId: 'gate/one-update-per-ref', enforced: true })]);
    expect(verdictOf(out).accepted).toBe(false);
  });

  test('evaluate mode keeps the governance and one-update rules (verification), and relaxes a policy rule', () => {
    const d = (ruleId: string) => ({ code: 'POLICY_DENY' as const, ruleId, ref: 'refs/gatos/proposals/01J0000000000000000000000A' });
    expect(enforcedIn('evaluate', d('gate/governance'))).toBe(true);
    expect(enforcedIn('evaluate', d('gate/one-update-per-ref'))).toBe(true);
    expect(enforcedIn('evaluate', d('gov/statements'))).toBe(false);
  });
});
