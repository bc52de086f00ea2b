/**
 * The trust graph, grants and revocations as pure functions: bootstrap,
 * issuer chains and levels, key rotation (a rotated-out key signs nothing
 * dated from the rotation on), tampering, delegation, expiry, revocation.
 */
import { generateKeyPair } from '../../src/canon/ed25519';
import { canonicalJson } from '../../src/canon/jcs';
import { utf8 } from '../../src/core/bytes';
import { addActor, checkGraph, emptyGraphJson, makeGrant, makeRevocation, parseTime, readTrustSet, type JsonObject } from '../../src/trust';

const T0 = 1767225600; // 2026-01-01T00:00:00Z
const DAY = 86400;

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}
function bytes(o: JsonObject): Uint8Array {
  return must(canonicalJson(o));
}

const root = generateKeyPair();
const bob = generateKeyPair();
const carol = generateKeyPair();

function baseGraph(): JsonObject {
  let g = must(addActor(emptyGraphJson(), { actor: 'user:root', publicKey: root.publicKey, level: 5, groups: ['admins'], issuer: 'user:root', now: T0 }, root));
  g = must(addActor(g, { actor: 'user:bob', publicKey: bob.publicKey, level: 2, groups: ['leads'], issuer: 'user:root', now: T0 + 10 }, root));
  return g;
}

describe('trust graph', () => {
  it('bootstraps a self-vouched root and adds actors it vouches for', () => {
    const g = must(checkGraph(baseGraph()));
    expect(g.roots).toEqual(['user:root']);
    expect([...g.actors.keys()]).toEqual(['user:bob', 'user:root']);
    expect(g.groups.get('leads')).toEqual(['user:bob']);
  });

  it('refuses a first actor added by someone else, self-vouching non-roots and level escalation', () => {
    expect(addActor(emptyGraphJson(), { actor: 'user:bob', publicKey: bob.publicKey, level: 1, groups: [], issuer: 'user:root', now: T0 }, root).ok).toBe(false);
    const g = baseGraph();
    const self = addActor(g, { actor: 'user:bob', publicKey: carol.publicKey, level: 2, groups: [], issuer: 'user:bob', now: T0 + 20 }, bob);
    expect(!self.ok && self.error.code).toBe('POLICY_DENY');
    const up = addActor(g, { actor: 'user:carol', publicKey: carol.publicKey, level: 3, groups: [], issuer: 'user:bob', now: T0 + 20 }, bob);
    expect(!up.ok && up.error.message).toContain('cannot give');
  });

  it('detects a tampered record, a non-canonical file and forged groups', () => {
    const g = baseGraph() as { actors: Record<string, Record<string, unknown>> } & JsonObject;
    const tampered = { ...g, actors: { ...g.actors, 'user:bob': { ...g.actors['user:bob'], level: 5 } } } as unknown as JsonObject;
    const r = readTrustSet(new Map([['graph.json', bytes(tampered)]]));
    expect(!r.ok && r.error.code).toBe('SIG_INVALID');
    const spaced = readTrustSet(new Map([['graph.json', utf8(JSON.stringify(g, null, 2))]]));
    expect(!spaced.ok && spaced.error.code).toBe('ENCODING_INVALID');
    const forged = readTrustSet(new Map([['graph.json', bytes({ ...g, groups: { admins: ['user:bob', 'user:root'], leads: ['user:bob'] } } as unknown as JsonObject)]]));
    expect(!forged.ok && forged.error.code).toBe('ENCODING_INVALID');
  });

  it('rotation: the old key is unusable from the rotation on, the new one from then', () => {
    const bob2 = generateKeyPair();
    const rot = T0 + 100 * DAY;
    const g = must(addActor(baseGraph(), { actor: 'user:bob', publicKey: bob2.publicKey, level: 2, groups: ['leads'], issuer: 'user:root', now: rot }, root));
    const graph = must(checkGraph(g));
    const rec = graph.actors.get('user:bob');
    expect(rec?.keys.map((k) => [k.from, k.until])).toEqual([[T0 + 10, rot], [rot, undefined]]);
    const grantBy = (key: typeof bob, iat: number) => makeGrant({ issuer: 'user:bob', subject: 'user:carol', caps: ['x'], audience: [], iat, exp: iat + DAY, prev: null, revokes: [] }, key);
    const before = must(grantBy(bob, rot - 1));
    const after = must(grantBy(bob, rot));
    const withNew = must(grantBy(bob2, rot));
    const files = (gr: { id: string; json: JsonObject }) => new Map([['graph.json', bytes(g)], [`grants/${gr.id}.json`, bytes(gr.json)]]);
    expect(readTrustSet(files(before)).ok).toBe(true);
    const refused = readTrustSet(files(after));
    expect(!refused.ok && refused.error.code).toBe('POLICY_DENY');
    expect(!refused.ok && refused.error.message).toContain('not a key of user:bob valid at');
    expect(readTrustSet(files(withNew)).ok).toBe(true);
  });
});

describe('grants', () => {
  const g = baseGraph();
  const grant = (issuerKey: typeof root, issuer: string, subject: string, caps: string[], iat: number, exp: number, extra: { audience?: string[]; prev?: string | null; revokes?: string[] } = {}) =>
    must(makeGrant({ issuer, subject, caps, audience: extra.audience ?? [], iat, exp, prev: extra.prev ?? null, revokes: extra.revokes ?? [] }, issuerKey));
  const set = (...items: { id: string; json: JsonObject; kind?: 'revocations' }[]) =>
    must(readTrustSet(new Map<string, Uint8Array>([['graph.json', bytes(g)], ...items.map((i) => [`${i.kind ?? 'grants'}/${i.id}.json`, bytes(i.json)] as [string, Uint8Array])])));

  it('a root grant is held until it expires, then CAP_EXPIRED', () => {
    const gr = grant(root, 'user:root', 'user:bob', ['journal:append'], T0, T0 + DAY);
    const s = set(gr);
    expect(s.caps.holds('user:bob', 'journal:append', 'finance', T0 + 5)).toEqual({ held: true, grant: gr.id, exp: T0 + DAY });
    const late = s.caps.holds('user:bob', 'journal:append', 'finance', T0 + DAY);
    expect(!late.held && late.code).toBe('CAP_EXPIRED');
    const other = s.caps.holds('user:bob', 'journal:delete', 'finance', T0 + 5);
    expect(!other.held && other.code).toBe('POLICY_DENY');
  });

  it('audience limits the namespaces', () => {
    const s = set(grant(root, 'user:root', 'user:bob', ['a'], T0, T0 + DAY, { audience: ['finance'] }));
    expect(s.caps.holds('user:bob', 'a', 'finance', T0 + 1).held).toBe(true);
    expect(s.caps.holds('user:bob', 'a', 'hr', T0 + 1).held).toBe(false);
  });

  it('delegation needs the issuer to hold the cap for at least as long', () => {
    const toBob = grant(root, 'user:root', 'user:bob', ['a'], T0, T0 + 10 * DAY);
    const ok1 = grant(bob, 'user:bob', 'user:carol', ['a'], T0 + 11, T0 + 5 * DAY);
    const tooLong = grant(bob, 'user:bob', 'user:carol', ['a'], T0 + 12, T0 + 20 * DAY);
    const notHeld = grant(bob, 'user:bob', 'user:carol', ['b'], T0 + 13, T0 + DAY);
    const s = set(toBob, ok1, tooLong, notHeld);
    expect(s.caps.isEffective(ok1.id)).toBe(true);
    expect(s.caps.isEffective(tooLong.id)).toBe(false);
    expect(s.caps.isEffective(notHeld.id)).toBe(false);
    expect(s.caps.holds('user:carol', 'b', 'x', T0 + 20).held).toBe(false);
  });

  it('a revoked grant is never usable; revokes in a successor grant void the old one', () => {
    const gr = grant(root, 'user:root', 'user:bob', ['a'], T0, T0 + DAY);
    const rev = must(makeRevocation({ issuer: 'user:root', grant: gr.id, reason: 'left', iat: T0 + 5 }, root));
    const s = set(gr, { ...rev, kind: 'revocations' });
    const v = s.caps.holds('user:bob', 'a', 'x', T0 + 1);
    expect(!v.held && v.code).toBe('POLICY_DENY');
    expect(!v.held && v.reason).toContain('revoked by user:root: left');
    const next = grant(root, 'user:root', 'user:bob', ['b'], T0 + 6, T0 + DAY, { prev: gr.id, revokes: [gr.id] });
    const s2 = set(gr, next);
    expect(s2.caps.holds('user:bob', 'a', 'x', T0 + 7).held).toBe(false);
    expect(s2.caps.holds('user:bob', 'b', 'x', T0 + 7).held).toBe(true);
  });

  it('a renamed, edited or re-signed grant file is refused', () => {
    const gr = grant(root, 'user:root', 'user:bob', ['a'], T0, T0 + DAY);
    const other = grant(root, 'user:root', 'user:bob', ['b'], T0, T0 + DAY);
    const renamed = readTrustSet(new Map([['graph.json', bytes(g)], [`grants/${other.id}.json`, bytes(gr.json)]]));
    expect(!renamed.ok && renamed.error.code).toBe('PROOF_INVALID');
    const edited = readTrustSet(new Map([['graph.json', bytes(g)], [`grants/${gr.id}.json`, bytes({ ...gr.json, exp: '2099-01-01T00:00:00Z' })]]));
    expect(!edited.ok && edited.error.code).toBe('SIG_INVALID');
    const stray = readTrustSet(new Map([['graph.json', bytes(g)], ['notes.txt', utf8('x')]]));
    expect(!stray.ok && stray.error.code).toBe('ENCODING_INVALID');
  });

  it('times have exactly one spelling', () => {
    expect(must(parseTime('2026-01-01T00:00:00Z'))).toBe(T0);
    for (const t of ['2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00+00:00', '2026-01-01t00:00:00z', '2026-02-30T00:00:00Z', '2026-1-01T00:00:00Z']) expect(parseTime(t).ok).toBe(false);
  });
});
