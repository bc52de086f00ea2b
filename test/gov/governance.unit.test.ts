/**
 * Governance without a repository (src/trust/governance.ts, src/gate/gov.ts
 * through decideUpdate): a trust graph in memory with three leads, statements
 * signed by their keys, facts as src/push/gov.ts hands them in.
 */
import { generateKeyPair } from '../../src/canon/ed25519';
import { canonicalJson } from '../../src/canon/jcs';
import { compilePolicy, loadPolicy } from '../../src/rgs';
import { addActor, emptyGraphJson, governance as gov, readTrustSet, type JsonObject, type TrustSet } from '../../src/trust';
import { decideUpdate, readGateConfig, type ActiveBundle, type UpdateFacts } from '../../src/gate';
import { proposalBaseOf, type GovFacts } from '../../src/gate/gov';
import { classifyRef } from '../../src/gate/ref-class';

const T0 = 1767225600;
const DAY = 86400;
const Z = '0'.repeat(40);
const OLD = 'a'.repeat(40);
const NEW = 'b'.repeat(40);
const ACTIVE = 'c'.repeat(40);
const ID = '01JA0000000000000000000000';
const OTHER_ID = '01JA0000000000000000000001';

function must<T>(r: { ok: true; value: T } | { ok: false; error: { code: string; message: string } }): T {
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value;
}

const keys = { root: generateKeyPair(), alice: generateKeyPair(), bob: generateKeyPair(), carol: generateKeyPair(), bob2: generateKeyPair() };
const ROTATED = T0 + 5 * DAY;

/** root, alice, bob lead; carol does not; bob's first key is rotated out at ROTATED. */
function trust(): TrustSet {
  let g = must(addActor(emptyGraphJson(), { actor: 'user:root', publicKey: keys.root.publicKey, level: 9, groups: ['leads'], issuer: 'user:root', now: T0 }, keys.root));
  for (const [name, k] of [['alice', keys.alice], ['bob', keys.bob], ['carol', keys.carol]] as const) {
    g = must(addActor(g, { actor: `user:${name}`, publicKey: k.publicKey, level: 3, groups: name === 'carol' ? [] : ['leads'], issuer: 'user:root', now: T0 + 1 }, keys.root));
  }
  g = must(addActor(g, { actor: 'user:bob', publicKey: keys.bob2.publicKey, level: 3, groups: ['leads'], issuer: 'user:root', now: ROTATED }, keys.root));
  return must(readTrustSet(new Map([['graph.json', must(canonicalJson(g))]])));
}
const TRUST = trust();
const POLICY = 'rules:\n  - id: policy/quorum\n    when: { ref: "refs/gatos/policies/**" }\n    allow_if: "actor.trust >= 3"\n    quorum: { of: "@leads", at_least: 2 }\n  - id: gov\n    when: { ref: "refs/gatos/**" }\n    allow_if: true\n';
const compiled = must(compilePolicy([{ file: 'p.rgs', text: POLICY }]) as never) as { root: string; bytes: Uint8Array };
const BUNDLE: ActiveBundle = { commit: ACTIVE, policyCodeRoot: compiled.root, policy: must(loadPolicy(compiled.bytes)), trust: TRUST, folds: [] };
const config = must(readGateConfig([]));
const NOW = T0 + 10 * DAY;
const env = { pusher: { actor: { id: 'user:root', kind: 'user' as const, name: 'root' } }, now: NOW, transport: 'file' as const, pushOptions: [] };
const QUORUM = { of: '@leads', at_least: 2 };

function proposal(id = ID, commit = NEW): gov.Proposal {
  return must(gov.readProposal(must(gov.makeProposal({ id, actor: 'user:root', ts: NOW - DAY, base: ACTIVE, commit, refs: ['refs/gatos/policies/active'] }, keys.root))));
}
const P = proposal();

function approve(p: gov.Proposal, who: keyof typeof keys, o: { ts?: number; exp?: number; bundle?: string; actor?: string } = {}): JsonObject {
  const actor = o.actor ?? `user:${who === 'bob2' ? 'bob' : who}`;
  return must(gov.makeApproval(p, { actor, ts: o.ts ?? NOW - 100, exp: o.exp ?? NOW + DAY, bundle: o.bundle ?? ACTIVE }, keys[who]));
}

function grant(p: gov.Proposal, approvals: JsonObject[]): JsonObject {
  return must(gov.makeGovGrant(p, approvals, { actor: 'user:root', ts: NOW - 10, rule: 'policy/quorum', quorum: QUORUM }, keys.root));
}

const ctx: gov.GovContext = { graph: TRUST.graph, bundle: ACTIVE, now: NOW };

function policyChange(governance: GovFacts): UpdateFacts {
  return { update: { ref: 'refs/gatos/policies/active', oldId: OLD, newId: NEW }, fastForward: true, commits: [{ id: NEW, parents: 1, paths: ['manifest.json'], signed: false }], events: [], checkpoints: [], tip: ['commit'], governance };
}

function govPush(ref: string, statement: JsonObject, extra: Partial<GovFacts> = {}): UpdateFacts {
  return { update: { ref, oldId: Z, newId: NEW }, fastForward: false, commits: [{ id: NEW, parents: 0, paths: ['x.json'], signed: false }], events: [], checkpoints: [], tip: ['commit'], governance: { statement: { ok: true, value: statement }, grants: [], revocations: [], ...extra } };
}

const decide = (f: UpdateFacts) => decideUpdate(f, BUNDLE, config, env);

describe('approvals weighed one by one', () => {
  test.each([
    ['an expired approval', () => approve(P, 'alice', { exp: NOW - 1 }), 'CAP_EXPIRED', /expired/],
    ['an approval under another bundle', () => approve(P, 'alice', { bundle: OLD }), 'POLICY_DENY', /not the active bundle/],
    ['an approval of another proposal', () => approve(proposal(OTHER_ID), 'alice'), 'POLICY_DENY', /approves proposal 01JA0000000000000000000001/],
    ['an approval signed with a key rotated out before its date', () => approve(P, 'bob'), 'POLICY_DENY', /is not a key of user:bob valid at/],
    ['an approval by an actor the graph does not list', () => approve(P, 'carol', { actor: 'user:mallory' }), 'POLICY_DENY', /not in the trust graph/],
    ['an approval dated in the future', () => approve(P, 'alice', { ts: NOW + 60, exp: NOW + DAY }), 'POLICY_DENY', /after now/],
  ])('%s does not count', (_name, make, code, message) => {
    const r = gov.verifyApproval(make(), P, ctx);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe(code);
      expect(r.error.message).toMatch(message);
    }
  });

  test('a key valid at the approval keeps it after a later rotation; one signer counts once', () => {
    const early = must(gov.readProposal(must(gov.makeProposal({ id: ID, actor: 'user:root', ts: ROTATED - 100, base: ACTIVE, commit: NEW, refs: ['refs/gatos/policies/active'] }, keys.root))));
    const t = gov.tally([approve(early, 'bob', { ts: ROTATED - 10 }), approve(early, 'bob2', { ts: ROTATED + 10 }), approve(early, 'alice')], early, ctx);
    expect(t.approvers).toEqual(['user:alice', 'user:bob']);
    expect(t.dropped).toEqual([]);
  });

  // A thief holding bob's rotated-out key dates its statements before the rotation, where the key was valid; a
  // statement about a proposal cannot honestly predate it, so that date is refused (the proposal is after the rotation).
  test('a rotated-out key dating an approval, a grant or a revocation before the proposal it names signs nothing', () => {
    const approval = gov.verifyApproval(approve(P, 'bob', { ts: ROTATED - 10 }), P, ctx);
    expect(approval.ok).toBe(false);
    if (!approval.ok) expect(approval.error.message).toMatch(/before the proposal it approves/);
    expect(decide(policyChange({ grants: [grant(P, [approve(P, 'alice'), approve(P, 'bob', { ts: ROTATED - 10 })])], revocations: [] })).allowed).toBe(false);
    const backdatedGrant = must(gov.readGovGrant(must(gov.makeGovGrant(P, [approve(P, 'alice'), approve(P, 'bob2')], { actor: 'user:bob', ts: ROTATED - 10, rule: 'policy/quorum', quorum: QUORUM }, keys.bob))));
    const g = gov.verifyGovGrant(backdatedGrant, ctx);
    expect(g.ok).toBe(false);
    if (!g.ok) expect(g.error.message).toMatch(/before its proposal/);
    const revocation = must(gov.readGovRevocation(must(gov.makeGovRevocation(P, { actor: 'user:bob', ts: ROTATED - 10, reason: 'stolen key' }, keys.bob))));
    const r = gov.verifyGovRevocation(revocation, P, QUORUM, TRUST.graph);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/before the proposal it revokes/);
  });
});

describe('the gate on a policy change', () => {
  const approvers = (f: UpdateFacts) => decide(f);
  test('2 of 3 leads: denied with one approval (naming the missing ones), allowed with two', () => {
    const one = approvers(policyChange({ grants: [grant(P, [approve(P, 'alice')])], revocations: [] }));
    expect(one.allowed).toBe(false);
    expect(one.denials[0]).toMatchObject({ code: 'POLICY_DENY', ruleId: 'policy/quorum', reason: 'quorum of @leads not met: 1 of 2 approvals (approved by user:alice); missing 1 more approval from user:bob, user:root' });
    expect(approvers(policyChange({ grants: [grant(P, [approve(P, 'alice'), approve(P, 'bob2')])], revocations: [] })).allowed).toBe(true);
  });

  test('a non-member, a duplicate and a foreign approval add nothing', () => {
    const d = approvers(policyChange({ grants: [grant(P, [approve(P, 'alice'), approve(P, 'alice', { ts: NOW - 50 }), approve(P, 'carol'), approve(proposal(OTHER_ID), 'bob')])], revocations: [] }));
    expect(d.allowed).toBe(false);
    expect(d.denials[0]?.reason).toContain('1 of 2 approvals (approved by user:alice)');
  });

  test('a grant for another commit, a tampered PoC or a revoked grant carries nothing', () => {
    const elsewhere = proposal(ID, 'd'.repeat(40));
    const two = (p: gov.Proposal) => [approve(p, 'alice'), approve(p, 'bob2')];
    expect(approvers(policyChange({ grants: [grant(elsewhere, two(elsewhere))], revocations: [] })).allowed).toBe(false);
    const tampered = { ...grant(P, two(P)), poc: `blake3:${'0'.repeat(64)}` };
    expect(approvers(policyChange({ grants: [tampered], revocations: [] })).allowed).toBe(false);
    const revocation = must(gov.makeGovRevocation(P, { actor: 'user:bob', ts: NOW - 5, reason: 'withdrawn' }, keys.bob2));
    expect(approvers(policyChange({ grants: [grant(P, two(P))], revocations: [revocation] })).allowed).toBe(false);
    const byOutsider = must(gov.makeGovRevocation(P, { actor: 'user:carol', ts: NOW - 5, reason: 'no' }, keys.carol));
    expect(approvers(policyChange({ grants: [grant(P, two(P))], revocations: [byOutsider] })).allowed).toBe(true);
  });
});

describe('the gate on governance refs', () => {
  const denial = (f: UpdateFacts) => decide(f).denials.map((d) => [d.code, d.ruleId, d.reason]);
  test('a valid proposal, approval and grant are accepted', () => {
    expect(denial(govPush(`refs/gatos/proposals/${ID}`, P.statement))).toEqual([]);
    expect(denial(govPush(`refs/gatos/approvals/${ID}/user/alice`, approve(P, 'alice'), { proposal: P.statement }))).toEqual([]);
    expect(denial(govPush(`refs/gatos/grants/${ID}`, grant(P, [approve(P, 'alice'), approve(P, 'bob2')])))).toEqual([]);
  });

  test('an approval under another actor\'s path, a tampered PoC, an unmet quorum and a moved statement are refused', () => {
    expect(denial(govPush(`refs/gatos/approvals/${ID}/user/bob`, approve(P, 'alice'), { proposal: P.statement }))[0]).toEqual(['POLICY_DENY', 'gate/governance', expect.stringContaining('approver user:alice')]);
    const tampered = { ...grant(P, [approve(P, 'alice'), approve(P, 'bob2')]), poc: `blake3:${'1'.repeat(64)}` };
    expect(denial(govPush(`refs/gatos/grants/${ID}`, tampered))[0]?.[0]).toBe('SIG_INVALID');
    expect(denial(govPush(`refs/gatos/grants/${ID}`, grant(P, [approve(P, 'alice')])))[0]).toEqual(['POLICY_DENY', 'gate/governance', expect.stringContaining('missing 1 more from user:bob, user:root')]);
    const moved: UpdateFacts = { ...govPush(`refs/gatos/grants/${ID}`, grant(P, [approve(P, 'alice'), approve(P, 'bob2')])), update: { ref: `refs/gatos/grants/${ID}`, oldId: OLD, newId: NEW }, fastForward: true };
    expect(denial(moved)[0]).toEqual(['POLICY_DENY', 'gate/governance', expect.stringContaining('never moved')]);
  });
});

describe('the rest of a policy change whose activation landed (update hook alone)', () => {
  // The proposal moved active from ACTIVE (its base) to NEW and names NEW's bundle-id ref too; NEW is now active.
  const ID_REF = `refs/gatos/policies/${'e'.repeat(64)}`;
  const both = must(gov.readProposal(must(gov.makeProposal({ id: ID, actor: 'user:root', ts: NOW - DAY, base: ACTIVE, commit: NEW, refs: ['refs/gatos/policies/active', ID_REF] }, keys.root))));
  const facts = (grants: JsonObject[]): GovFacts => ({ grants, revocations: [] });
  const create = (ref: string, newId = NEW) => ({ ref, oldId: Z, newId });
  const base = (ref: string, grants: JsonObject[], active = NEW, newId = NEW) => proposalBaseOf(create(ref, newId), classifyRef(ref), facts(grants), active);

  test('its bundle-id ref, set to the now active commit, is judged by the proposal\'s base', () => {
    expect(base(ID_REF, [grant(both, [approve(both, 'alice'), approve(both, 'bob2')])])).toBe(ACTIVE);
  });

  test('nothing else is: another ref, another commit, a proposal that did not move active, before the activation, the active ref itself', () => {
    const g = grant(both, [approve(both, 'alice'), approve(both, 'bob2')]);
    expect(base(`refs/gatos/policies/${'f'.repeat(64)}`, [g])).toBeUndefined();
    expect(base(ID_REF, [g], NEW, OLD)).toBeUndefined();
    expect(base(ID_REF, [g], ACTIVE, ACTIVE)).toBeUndefined();
    expect(base('refs/gatos/policies/active', [g])).toBeUndefined();
    const idOnly = must(gov.readProposal(must(gov.makeProposal({ id: OTHER_ID, actor: 'user:root', ts: NOW - DAY, base: ACTIVE, commit: NEW, refs: [ID_REF] }, keys.root))));
    expect(base(ID_REF, [grant(idOnly, [approve(idOnly, 'alice'), approve(idOnly, 'bob2')])])).toBeUndefined();
    expect(base(ID_REF, [])).toBeUndefined();
  });

  test('judged by its base, the update carries the grant\'s approvals; under the bundle it made active it carries none', () => {
    const g = grant(both, [approve(both, 'alice'), approve(both, 'bob2')]);
    const update: UpdateFacts = { update: create(ID_REF), fastForward: false, commits: [{ id: NEW, parents: 1, paths: ['manifest.json'], signed: false }], events: [], checkpoints: [], tip: ['commit'], governance: facts([g]) };
    expect(decide(update).allowed).toBe(true);
    const made: ActiveBundle = { ...BUNDLE, commit: NEW };
    const under = decideUpdate(update, made, config, env);
    expect(under.allowed).toBe(false);
    expect(under.denials.map((d) => d.reason).join('\n')).toContain('0 of 2 approvals');
  });
});
