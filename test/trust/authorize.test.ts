/**
 * The one trust decision (src/trust/authorize.ts) and the gate's use of it
 * (src/gate/authority.ts through decideUpdate), without a repository: a
 * trust set built in memory, facts as the push engine hands them in.
 */
import { generateKeyPair } from '../../src/canon/ed25519';
import { canonicalJson } from '../../src/canon/jcs';
import { nextUlid } from '../../src/canon/ulid';
import { toHex } from '../../src/core/bytes';
import { compilePolicy, loadPolicy } from '../../src/rgs';
import { addActor, authorize, emptyGraphJson, makeGrant, readTrustSet, type JsonObject, type TrustSet } from '../../src/trust';
import { CHECKPOINT_CAP, decideUpdate, readGateConfig, type ActiveBundle, type CheckpointFact, type EventFact, type UpdateFacts } from '../../src/gate';

const T0 = 1767225600; // 2026-01-01T00:00:00Z
const DAY = 86400;

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}
const bytes = (o: JsonObject): Uint8Array => must(canonicalJson(o));
const keyText = (k: { publicKey: Uint8Array }): string => `ed25519:${toHex(k.publicKey)}`;

const root = generateKeyPair();
const alice = generateKeyPair();
const alice2 = generateKeyPair();
const ROTATED = T0 + 10 * DAY;

/** root vouches for alice at T0 + 1 and rotates her key at ROTATED; alice holds journal:append in finance and state:checkpoint until T0 + 20 days. */
function trustSet(grants: { caps: string[]; exp: number; audience?: string[] }[] = [{ caps: ['journal:append', CHECKPOINT_CAP], exp: T0 + 20 * DAY, audience: ['finance'] }]): TrustSet {
  let g = must(addActor(emptyGraphJson(), { actor: 'user:root', publicKey: root.publicKey, level: 5, groups: [], issuer: 'user:root', now: T0 }, root));
  g = must(addActor(g, { actor: 'user:alice', publicKey: alice.publicKey, level: 1, groups: [], issuer: 'user:root', now: T0 + 1 }, root));
  g = must(addActor(g, { actor: 'user:alice', publicKey: alice2.publicKey, level: 1, groups: [], issuer: 'user:root', now: ROTATED }, root));
  const files = new Map<string, Uint8Array>([['graph.json', bytes(g)]]);
  for (const gr of grants) {
    const made = must(makeGrant({ issuer: 'user:root', subject: 'user:alice', caps: gr.caps, audience: gr.audience ?? [], iat: T0, exp: gr.exp, prev: null, revokes: [] }, root));
    files.set(`grants/${made.id}.json`, bytes(made.json));
  }
  return must(readTrustSet(files));
}

describe('authorize: may this key, for this actor, at this time, do this', () => {
  const trust = trustSet();
  const claim = { actor: 'user:alice', key: keyText(alice), at: T0 + DAY, ns: 'finance', caps: ['journal:append'] };

  test('a listed key, in its time, claiming a held capability: allowed', () => {
    expect(authorize(trust, claim)).toEqual({ ok: true });
    expect(authorize(trust, { ...claim, key: keyText(alice2), at: ROTATED })).toEqual({ ok: true });
  });

  test('an actor the graph does not list: POLICY_DENY, failed actor', () => {
    expect(authorize(trust, { ...claim, actor: 'user:mallory' })).toMatchObject({ ok: false, code: 'POLICY_DENY', failed: 'actor', reason: 'user:mallory is not in the trust graph' });
  });

  test('a rotated-out key from its rotation on, and a new key before it: POLICY_DENY, failed key', () => {
    expect(authorize(trust, { ...claim, at: ROTATED - 1 }).ok).toBe(true);
    const late = authorize(trust, { ...claim, at: ROTATED });
    expect(late).toMatchObject({ ok: false, code: 'POLICY_DENY', failed: 'key' });
    expect(!late.ok && late.reason).toBe(`${keyText(alice)} is not a key of user:alice valid at 2026-01-11T00:00:00Z`);
    expect(!late.ok && late.hint).toContain('rotated-out key');
    expect(authorize(trust, { ...claim, key: keyText(alice2), at: ROTATED - 1 })).toMatchObject({ ok: false, failed: 'key' });
    expect(authorize(trust, { ...claim, key: keyText(root) })).toMatchObject({ ok: false, failed: 'key' });
  });

  test('the key is checked before any capability: an unknown key claiming nothing is still refused', () => {
    expect(authorize(trust, { ...claim, key: keyText(root), caps: [] })).toMatchObject({ ok: false, failed: 'key' });
  });

  test('a capability never granted, or outside its audience: POLICY_DENY, failed cap, naming it', () => {
    const none = authorize(trust, { ...claim, caps: ['journal:append', 'journal:delete'] });
    expect(none).toMatchObject({ ok: false, code: 'POLICY_DENY', failed: 'cap' });
    expect(!none.ok && none.reason).toContain("user:alice does not hold 'journal:delete' in finance at 2026-01-02T00:00:00Z");
    expect(authorize(trust, { ...claim, ns: 'hr' })).toMatchObject({ ok: false, code: 'POLICY_DENY', failed: 'cap' });
  });

  test('an expired grant: CAP_EXPIRED (expiry exclusive), with the new-grant hint', () => {
    expect(authorize(trust, { ...claim, key: keyText(alice2), at: T0 + 20 * DAY - 1 }).ok).toBe(true);
    const expired = authorize(trust, { ...claim, key: keyText(alice2), at: T0 + 20 * DAY });
    expect(expired).toMatchObject({ ok: false, code: 'CAP_EXPIRED', failed: 'cap' });
    expect(!expired.ok && expired.hint).toContain('new grant');
  });

  test('claiming nothing needs only the key', () => {
    expect(authorize(trustSet([]), { ...claim, caps: [] })).toEqual({ ok: true });
  });
});

describe('decideUpdate weighs every signer against the active trust', () => {
  const Z = '0'.repeat(40);
  const A = 'a'.repeat(40);
  const B = 'b'.repeat(40);
  const config = must(readGateConfig([]));
  const env = { pusher: {}, now: T0 + DAY, transport: 'file' as const, pushOptions: [] };
  const allowAll = 'rules:\n  - id: all\n    when: { ref: "refs/**" }\n    allow_if: true\n';

  function bundle(trust: TrustSet): ActiveBundle {
    const c = compilePolicy([{ file: 'p.rgs', text: allowAll }]);
    if (!c.ok) throw new Error(JSON.stringify(c.error));
    return { commit: 'c'.repeat(40), policyCodeRoot: c.value.root, policy: must(loadPolicy(c.value.bytes)), trust, folds: [] };
  }
  const event = (key: string, ts: number, caps: string[]): EventFact => ({ ok: true, event: { commit: B, type: 'x', ulid: must(nextUlid(ts * 1000, new Uint8Array(10))), actor: 'user:alice', ns: 'finance', signer: key, ts, caps } });
  const journal = (events: EventFact[]): UpdateFacts => ({ update: { ref: 'refs/gatos/journal/finance/user/alice', oldId: Z, newId: B }, fastForward: false, commits: [{ id: B, parents: 0, paths: ['event.cbor'], signed: false }], events, checkpoints: [], tip: ['commit'] });
  const checkpoint = (key: string, ts: number): CheckpointFact => ({ ok: true, detail: 'refolds', signer: { commit: B, actor: 'user:alice', key, ns: 'finance', ts } });
  const state = (checkpoints: CheckpointFact[]): UpdateFacts => ({ update: { ref: 'refs/gatos/state/finance', oldId: A, newId: B }, fastForward: true, commits: [{ id: B, parents: 1, paths: ['state'], signed: false }], events: [], checkpoints, tip: ['commit'] });
  const denials = (facts: UpdateFacts, trust = trustSet()) => decideUpdate(facts, bundle(trust), config, env).denials.map((d) => [d.code, d.ruleId, d.commit]);

  test('a trusted event with held capabilities passes to the policy', () => {
    const d = decideUpdate(journal([event(keyText(alice), T0 + DAY, ['journal:append'])]), bundle(trustSet()), config, env);
    expect(d.denials).toEqual([]);
    expect(d.allowed).toBe(true);
  });

  test('an event signed with a rotated-out key is refused under gate/event, naming the commit', () => {
    expect(denials(journal([event(keyText(alice), ROTATED, [])]))).toEqual([['POLICY_DENY', 'gate/event', B]]);
  });

  test('an event claiming an expired grant is CAP_EXPIRED under gate/event', () => {
    expect(denials(journal([event(keyText(alice2), T0 + 20 * DAY, ['journal:append'])]))).toEqual([['CAP_EXPIRED', 'gate/event', B]]);
  });

  test('a checkpoint whose signer lacks state:checkpoint is refused under gate/proof-of-fold', () => {
    const noCheckpointCap = trustSet([{ caps: ['journal:append'], exp: T0 + 20 * DAY }]);
    expect(denials(state([checkpoint(keyText(alice), T0 + DAY)]), noCheckpointCap)).toEqual([['POLICY_DENY', 'gate/proof-of-fold', B]]);
    expect(denials(state([checkpoint(keyText(alice), T0 + DAY)]))).toEqual([]);
  });

  test('a checkpoint signed by an actor the active graph does not list is refused', () => {
    const fact: CheckpointFact = { ok: true, detail: 'refolds', signer: { commit: B, actor: 'user:mallory', key: keyText(alice), ns: 'finance', ts: T0 + DAY } };
    expect(denials(state([fact]))).toEqual([['POLICY_DENY', 'gate/proof-of-fold', B]]);
  });
});
