/**
 * Governance through real pushes (docs/governance.md), in one regulated
 * world built once: a 2-of-3 @leads quorum denies a policy change with one
 * approval and allows it with two; duplicate approvals by one signer count
 * once; an approval of another proposal does not count; a tampered
 * Proof-of-Consensus is refused; a revoked grant is never usable. Each
 * refusal is checked with its code, its rule and its audit entry.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildGovCommit } from '../../src/events/gov-commit';
import { openRepo } from '../../src/git';
import { loadKey } from '../../src/keys';
import { governance as gov, type JsonObject } from '../../src/trust';
import { signStatement } from '../../src/trust/statement';
import { ObjectBatch } from '../../src/workspace/object-batch';
import { GateWorld, type AuditEntryView } from '../helpers/gate-world';

let w: GateWorld;
let root: string;

function must<T extends { status: number | null; stdout: string; stderr: string }>(r: T, what: string): T {
  if (r.status !== 0) throw new Error(`${what}: ${r.stdout}\n${r.stderr}`);
  return r;
}

function key(actor: string): { seed: Uint8Array; publicKey: Uint8Array } {
  const k = loadKey(w.keyDir, actor);
  if (!k.ok) throw new Error(k.error.message);
  return k.value;
}

/** Writes a statement's commit and ref into the clone, as a forger with the library would. */
async function writeGov(dir: string, kind: 'approval' | 'grant' | 'proposal' | 'revocation', ref: string, s: JsonObject): Promise<void> {
  const repo = await openRepo(path.join(dir, '.git'));
  if (!repo.ok) throw new Error(repo.error.message);
  const built = buildGovCommit(repo.value.format, kind, s);
  if (!built.ok) throw new Error(built.error.message);
  const batch = new ObjectBatch(repo.value.format);
  batch.addAll(built.value.objects);
  const wrote = await batch.write(repo.value);
  await repo.value.close();
  if (!wrote.ok) throw new Error(wrote.error.message);
  must(w.git(dir, ['update-ref', ref, built.value.commit]), 'update-ref');
}

function gatosJson<T>(args: string[]): T {
  return JSON.parse(must(w.gatos(root, [...args, '--json']), args.join(' ')).stdout) as T;
}

function propose(): { id: string; p: gov.Proposal } {
  const { proposal_id: id } = gatosJson<{ proposal_id: string }>(['gov', 'propose', '--as', 'user:root']);
  const s = JSON.parse(must(w.git(root, ['show', `refs/gatos/proposals/${id}:proposal.json`]), 'show').stdout) as JsonObject;
  const p = gov.readProposal(s);
  if (!p.ok) throw new Error(p.error.message);
  return { id, p: p.value };
}

function approval(id: string, actor: string): JsonObject {
  return JSON.parse(must(w.git(root, ['show', `refs/gatos/approvals/${id}/${actor.replace(':', '/')}:approval.json`]), 'show').stdout) as JsonObject;
}

function newBundle(tag: string): void {
  writeFileSync(path.join(root, 'gatos/policies/extra.rgs'), `rules:\n  - id: extra/${tag}\n    when: { ref: "refs/heads/${tag}/**" }\n    allow_if: "actor.trust >= 1"\n`);
  must(w.gatos(root, ['policy', 'publish', '--as', 'user:root']), 'policy publish');
}

function lastAudit(): AuditEntryView {
  const all = w.auditEntries();
  const e = all[all.length - 1];
  if (!e) throw new Error('no audit entry');
  return e;
}

beforeAll(() => {
  w = new GateWorld({ format: 'sha1' }).setup();
  // The first regulated bundle is installed by the operator (install.sh --trust); this publication is a
  // policy change under it, accepted with root's and alice's approvals (GateWorld.quorum).
  root = w.publishRegulated('root', {});
}, 120_000);

describe('governance: a 2-of-3 @leads quorum on policy changes, through real pushes', () => {
  let single: string;
  test('refused in one push: one approval, duplicate approvals by one signer, a foreign approval, a tampered Proof-of-Consensus', async () => {
    newBundle('a');
    const serverBefore = w.serverRefs();
    // One approval (root): the CLI makes the grant anyway, the gate refuses it.
    const one = propose();
    single = one.id;
    must(w.gatos(root, ['gov', 'approve', one.id, '--as', 'user:root']), 'approve');
    must(w.gatos(root, ['gov', 'grant', one.id, '--as', 'user:root']), 'grant');
    const status = gatosJson<{ counted: string[]; missing: string[]; met: boolean }>(['gov', 'status', one.id]);
    expect(status).toMatchObject({ counted: ['user:root'], missing: ['user:alice', 'user:bob'], met: false });
    const quorum = { of: '@leads', at_least: 2 };
    const rule = 'policy/trusted-publishers';
    // Duplicate: root approves twice (a second statement, a later date); it counts once.
    const dup = propose();
    must(w.gatos(root, ['gov', 'approve', dup.id, '--as', 'user:root']), 'approve');
    const first = approval(dup.id, 'user:root');
    const again = gov.makeApproval(dup.p, { actor: 'user:root', ts: w.now - 5, exp: w.now + 86400, bundle: dup.p.base }, key('user:root'));
    if (!again.ok) throw new Error(again.error.message);
    const dupGrant = gov.makeGovGrant(dup.p, [first, again.value], { actor: 'user:root', ts: w.now, rule, quorum }, key('user:root'));
    if (!dupGrant.ok) throw new Error(dupGrant.error.message);
    await writeGov(root, 'grant', `refs/gatos/grants/${dup.id}`, dupGrant.value);
    // Foreign: alice's approval of the single proposal, carried by another proposal's grant.
    const foreign = propose();
    must(w.gatos(root, ['gov', 'approve', foreign.id, '--as', 'user:root']), 'approve');
    must(w.gatos(root, ['gov', 'approve', one.id, '--as', 'user:alice']), 'approve');
    const foreignGrant = gov.makeGovGrant(foreign.p, [approval(foreign.id, 'user:root'), approval(one.id, 'user:alice')], { actor: 'user:root', ts: w.now, rule, quorum }, key('user:root'));
    if (!foreignGrant.ok) throw new Error(foreignGrant.error.message);
    await writeGov(root, 'grant', `refs/gatos/grants/${foreign.id}`, foreignGrant.value);
    // Tampered: two good approvals, the PoC changed and the grant signed again.
    const tam = propose();
    for (const a of ['user:root', 'user:bob']) must(w.gatos(root, ['gov', 'approve', tam.id, '--as', a]), 'approve');
    const good = gov.makeGovGrant(tam.p, [approval(tam.id, 'user:root'), approval(tam.id, 'user:bob')], { actor: 'user:root', ts: w.now, rule, quorum }, key('user:root'));
    if (!good.ok) throw new Error(good.error.message);
    const { key: _k, sig: _s, ...body } = good.value;
    const forged = signStatement({ ...body, poc: `blake3:${'0'.repeat(64)}` }, key('user:root'));
    if (!forged.ok) throw new Error(forged.error.message);
    await writeGov(root, 'grant', `refs/gatos/grants/${tam.id}`, forged.value);
    // Alice's approval of `one` stays local: the single-approval case is exactly one approval on the server.
    must(w.git(root, ['update-ref', '-d', `refs/gatos/approvals/${one.id}/user/alice`]), 'drop');

    const ids = [one.id, dup.id, foreign.id, tam.id];
    const r = w.push(root, 'user:root', ['refs/gatos/policies/*', ...ids.flatMap((id) => [`refs/gatos/proposals/${id}`, `refs/gatos/approvals/${id}/*`, `refs/gatos/grants/${id}`])], { quorum: false });
    expect(r.status).not.toBe(0);
    expect(w.serverRefs()).toBe(serverBefore);
    const e = lastAudit();
    expect(e.outcome).toBe('refused');
    const denial = (ref: string) => e.denials.find((d) => d.ref === ref);
    expect(denial('refs/gatos/policies/active')).toMatchObject({
      code: 'POLICY_DENY',
      rule: 'policy/trusted-publishers',
      reason: expect.stringContaining('quorum of @leads not met: 1 of 2 approvals (approved by user:root); missing 1 more approval from user:alice, user:bob'),
    });
    expect(r.stderr).toContain('missing 1 more approval from user:alice, user:bob');
    expect(denial(`refs/gatos/grants/${one.id}`)).toMatchObject({ code: 'POLICY_DENY', rule: 'gate/governance', reason: expect.stringContaining('1 of 2 approvals (approved by user:root)') });
    expect(denial(`refs/gatos/grants/${dup.id}`)).toMatchObject({ code: 'POLICY_DENY', rule: 'gate/governance', reason: expect.stringContaining('1 of 2 approvals (approved by user:root)') });
    expect(denial(`refs/gatos/grants/${foreign.id}`)).toMatchObject({ code: 'POLICY_DENY', rule: 'gate/governance', reason: expect.stringMatching(/1 of 2 approvals \(approved by user:root\).*not counted: the approval by user:alice approves proposal/) });
    expect(denial(`refs/gatos/grants/${tam.id}`)).toMatchObject({ code: 'PROOF_INVALID', rule: 'gate/governance', reason: expect.stringContaining('carries Proof-of-Consensus') });
    expect(denial(`refs/gatos/proposals/${one.id}`)).toBeUndefined();
  }, 60_000);

  test('accepted with two approvals: the policy change lands with its proposal, approvals and grant (audited)', () => {
    const r = w.push(root, 'user:root', ['refs/gatos/policies/*']);
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
    const server = w.serverRefs();
    const active = must(w.git(root, ['rev-parse', 'refs/gatos/policies/active']), 'rev-parse').stdout.trim();
    expect(server).toContain(`${active} refs/gatos/policies/active`);
    expect(server).toMatch(/ refs\/gatos\/grants\/[0-9A-Z]{26}\n/);
    expect(server).not.toContain(`refs/gatos/grants/${single}`);
  }, 60_000);

  test('a revoked grant is never usable', () => {
    newBundle('b');
    const { id } = propose();
    for (const a of ['user:root', 'user:alice']) must(w.gatos(root, ['gov', 'approve', id, '--as', a]), 'approve');
    must(w.gatos(root, ['gov', 'grant', id, '--as', 'user:root']), 'grant');
    const govRefs = [`refs/gatos/proposals/${id}`, `refs/gatos/approvals/${id}/*`, `refs/gatos/grants/${id}`];
    must(w.push(root, 'user:root', govRefs, { quorum: false }), 'push the grant');
    must(w.gatos(root, ['gov', 'revoke', id, '--reason', 'withdrawn', '--as', 'user:bob']), 'revoke');
    must(w.push(root, 'user:bob', [`refs/gatos/revocations/${id}`], { quorum: false }), 'push the revocation');
    const r = w.push(root, 'user:root', ['refs/gatos/policies/*'], { quorum: false });
    expect(r.status).not.toBe(0);
    const e = lastAudit();
    expect(e.outcome).toBe('refused');
    expect(e.denials.find((d) => d.ref === 'refs/gatos/policies/active')).toMatchObject({ code: 'POLICY_DENY', rule: 'policy/trusted-publishers', reason: expect.stringContaining('0 of 2 approvals') });
    expect(gatosJson<{ revoked: boolean }>(['gov', 'status', id]).revoked).toBe(true);
  }, 60_000);
});
