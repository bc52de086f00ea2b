/**
 * The rules `gatos trust add|grant|revoke` enforce, as pure functions over
 * the trust files (src/trust/changes.ts): the first actor's own key, trust
 * levels, who may issue a grant, and who may revoke one.
 */
import { generateKeyPair } from '../../src/canon/ed25519';
import { canonicalJson } from '../../src/canon/jcs';
import { expectOk } from '../../src/core/result';
import { emptyGraphJson, issueGrant, issueRevocation, readTrustSet, trustActor, type TrustFiles } from '../../src/trust';

const T0 = 1767225600; // 2026-01-01T00:00:00Z
const root = generateKeyPair();
const bob = generateKeyPair();
const carol = generateKeyPair();
const emptyGraph = expectOk(canonicalJson(emptyGraphJson()));

/** graph.json with user:root (level 5), user:bob (level 2) and user:carol (level 1, vouched for by bob). */
function graph(): Uint8Array {
  let g = expectOk(trustActor(emptyGraph, { actor: 'user:root', publicKey: root.publicKey, level: 5, groups: [], issuer: 'user:root', now: T0 }, root)).bytes;
  g = expectOk(trustActor(g, { actor: 'user:bob', publicKey: bob.publicKey, level: 2, groups: [], issuer: 'user:root', now: T0 + 1 }, root)).bytes;
  return expectOk(trustActor(g, { actor: 'user:carol', publicKey: carol.publicKey, level: 1, groups: [], issuer: 'user:bob', now: T0 + 2 }, bob)).bytes;
}

const grantOf = (issuer: string) => ({ issuer, subject: 'user:carol', caps: ['journal:append'], audience: [], iat: T0 + 10, exp: T0 + 86400, prev: null, revokes: [] });

describe('trustActor', () => {
  test('the first actor is a root that vouches for itself with the key it signs with', () => {
    const first = expectOk(trustActor(emptyGraph, { actor: 'user:root', publicKey: root.publicKey, level: 5, groups: [], issuer: 'user:root', now: T0 }, root));
    expect(first).toMatchObject({ root: true, rotated: false });
    const other = trustActor(emptyGraph, { actor: 'user:root', publicKey: bob.publicKey, level: 5, groups: [], issuer: 'user:root', now: T0 }, root);
    expect(!other.ok && other.error).toMatchObject({ code: 'USAGE', message: expect.stringContaining('must be the key in your key file for user:root') });
  });

  test('levels run from 0 to 9, whole numbers only', () => {
    for (const level of [-1, 10, 1.5]) {
      const r = trustActor(graph(), { actor: 'user:dave', publicKey: generateKeyPair().publicKey, level, groups: [], issuer: 'user:root', now: T0 + 5 }, root);
      expect(!r.ok && r.error.message).toBe(`--level ${level} is not an integer from 0 to 9`);
    }
  });

  test('a trusted actor given a new key is rotated, not added', () => {
    const r = expectOk(trustActor(graph(), { actor: 'user:bob', publicKey: generateKeyPair().publicKey, level: 2, groups: [], issuer: 'user:root', now: T0 + 5 }, root));
    expect(r).toMatchObject({ rotated: true, root: false });
  });
});

describe('issueGrant and issueRevocation', () => {
  const files = (): Map<string, Uint8Array> => new Map([['graph.json', graph()]]);
  const plus = (f: TrustFiles, c: { path: string; bytes: Uint8Array }) => new Map([...f, [c.path, c.bytes]]);

  test('a trusted issuer grants, and the trust set reads whole with the new file', () => {
    const g = expectOk(issueGrant(files(), grantOf('user:bob'), bob));
    expect(g.path).toBe(`grants/${g.id}.json`);
    expect(expectOk(readTrustSet(plus(files(), g))).grants.map((x) => x.id)).toEqual([g.id]);
  });

  test('an actor outside the trust graph issues no grant', () => {
    const r = issueGrant(files(), grantOf('user:mallory'), generateKeyPair());
    expect(!r.ok && r.error).toMatchObject({ code: 'POLICY_DENY', message: 'user:mallory is not in the trust graph' });
  });

  test('a grant signed with a key that is not the issuer\'s is refused by the trust set', () => {
    const r = issueGrant(files(), grantOf('user:bob'), carol);
    expect(r.ok).toBe(false);
  });

  test('the grant\'s issuer or a higher level revokes it; a lower level may not, and an unknown grant is not found', () => {
    const f = files();
    const g = expectOk(issueGrant(f, grantOf('user:bob'), bob));
    const withGrant = plus(f, g);
    const reason = { grant: g.id, reason: 'left the team', iat: T0 + 20 };
    expect(issueRevocation(withGrant, { issuer: 'user:bob', ...reason }, bob).ok).toBe(true);
    expect(issueRevocation(withGrant, { issuer: 'user:root', ...reason }, root).ok).toBe(true);
    const low = issueRevocation(withGrant, { issuer: 'user:carol', ...reason }, carol);
    expect(!low.ok && low.error).toMatchObject({ code: 'POLICY_DENY', message: `user:carol may not revoke grant ${g.id}` });
    const none = issueRevocation(f, { issuer: 'user:root', ...reason }, root);
    expect(!none.ok && none.error.code).toBe('NOT_FOUND');
  });
});
