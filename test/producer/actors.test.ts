/**
 * Actors in ref paths: the encoding round-trips, every ref it builds is one
 * git accepts (asked of `git check-ref-format` itself), and two different
 * actors never share a ref, even on a case-insensitive disk.
 */
import fc from 'fast-check';
import { actorFromPath, actorToPath, journalRef, parseActor, parseJournalRef, stateRef } from '../../src/actors';
import { git } from '../helpers/git';

const nameArb = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/).filter((n) => parseActor(`user:${n}`).ok);
const actorArb = fc.tuple(fc.constantFrom('user', 'agent', 'service'), nameArb).map(([k, n]) => `${k}:${n}`);

function refOk(ref: string): boolean {
  return git('/', ['check-ref-format', ref], { allowFailure: true }).status === 0;
}

describe('actor encoding', () => {
  it('round-trips user:alice <-> user/alice', () => {
    const a = parseActor('user:alice');
    expect(a.ok && actorToPath(a.value)).toBe('user/alice');
    const back = actorFromPath('user/alice');
    expect(back.ok && back.value.id).toBe('user:alice');
  });

  it('round-trips every valid actor and builds refs git accepts', () => {
    const seen: string[] = [];
    fc.assert(
      fc.property(actorArb, nameArb, (id, ns) => {
        const a = parseActor(id);
        if (!a.ok) return false;
        const p = actorToPath(a.value);
        const back = actorFromPath(p);
        const ref = journalRef(ns, a.value);
        if (!back.ok || back.value.id !== id || !ref.ok) return false;
        const parsed = parseJournalRef(ref.value);
        if (!parsed.ok || parsed.value.ns !== ns || parsed.value.actor.id !== id) return false;
        if (seen.length < 60) seen.push(ref.value);
        return true;
      }),
      { numRuns: 500 },
    );
    for (const ref of seen) expect(refOk(ref)).toBe(true);
  });

  it('distinct actors give distinct paths, also when case is ignored', () => {
    fc.assert(
      fc.property(actorArb, actorArb, (x, y) => {
        const a = parseActor(x);
        const b = parseActor(y);
        if (!a.ok || !b.ok || x === y) return true;
        return actorToPath(a.value).toLowerCase() !== actorToPath(b.value).toLowerCase();
      }),
      { numRuns: 1000 },
    );
  });

  it.each([
    ['user:Alice', 'upper-case'],
    ['user:..', 'start'],
    ['user:a..b', "'..'"],
    ['user:.hidden', 'start'],
    ['user:x.lock', '.lock'],
    ['user:x.', "ends with '.'"],
    ['user:a/b', 'start'],
    ['user:a b', 'start'],
    ['user:', 'empty'],
    ['robot:x', 'unknown kind'],
    ['alice', 'not an actor'],
    ['user:a:b', 'start'],
    [`user:${'a'.repeat(65)}`, 'longer'],
  ])('refuses %s', (text, why) => {
    const r = parseActor(text);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALUE_INVALID');
      expect(r.error.message).toContain(why);
      expect(r.error.hint).toBeTruthy();
    }
  });

  it.each(['user/Alice', 'robot/x', 'user/a/b', 'user', 'user/', '/alice', 'user/..'])('refuses the path %s', (p) => {
    expect(actorFromPath(p).ok).toBe(false);
  });

  it('parses journal refs strictly and builds state refs', () => {
    expect(parseJournalRef('refs/gatos/journal/finance/user/alice').ok).toBe(true);
    for (const bad of ['refs/gatos/journal/finance', 'refs/gatos/journal/finance/user', 'refs/gatos/journal/Fin/user/alice', 'refs/gatos/journal/f/user/alice/x', 'refs/heads/main']) {
      expect(parseJournalRef(bad).ok).toBe(false);
    }
    const s = stateRef('finance');
    expect(s.ok && s.value).toBe('refs/gatos/state/finance');
    expect(stateRef('../x').ok).toBe(false);
  });
});
