/**
 * Governance through real pushes (docs/governance.md), in one regulated
 * world built once: a 2-of-3 @leads quorum denies a policy change with one
 * approval and allows it with two; duplicate approvals by one signer count
 * once; an approval of another proposal does not count; a tampered
 * Proof-of-Consensus is refused; a revoked grant is never usable. Each
 * refusal is checked with its code, its rule and its audit entry.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { nextUlid } from '../../src/canon/ulid';
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

function ulid(): string {
  const u = nextUlid(Date.now(), randomBytes(10));
  if (!u.ok) throw new Error(u.error.message);
  return u.value;
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
    // The other cases are built with the library, as a forger would: same change, new proposals.
    const made = (): { id: string; p: gov.Proposal } => {
      const id = ulid();
      const s = gov.makeProposal({ id, actor: 'user:root', ts: w.now - 60, base: one.p.base, commit: one.p.commit, refs: one.p.refs }, key('user:root'));
      if (!s.ok) throw new Error(s.error.message);
      const p = gov.readProposal(s.value);
      if (!p.ok) throw new Error(p.error.message);
      return { id, p: p.value };
    };
    const approve = (p: gov.Proposal, actor: string, ts = w.now - 30): JsonObject => {
      const a = gov.makeApproval(p, { actor, ts, exp: w.now + 86400, bundle: p.base }, key(actor));
      if (!a.ok) throw new Error(a.error.message);
      return a.value;
    };
    const grant = async (x: { id: string; p: gov.Proposal }, approvals: JsonObject[]): Promise<JsonObject> => {
      const g = gov.makeGovGrant(x.p, approvals, { actor: 'user:root', ts: w.now - 10, rule, quorum }, key('user:root'));
      if (!g.ok) throw new Error(g.error.message);
      await writeGov(root, 'proposal', `refs/gatos/proposals/${x.id}`, x.p.statement);
      return g.value;
    };
    // Duplicate: root approves twice (two statements, two dates); it counts once.
    const dup = made();
    await writeGov(root, 'grant', `refs/gatos/grants/${dup.id}`, await grant(dup, [approve(dup.p, 'user:root'), approve(dup.p, 'user:root', w.now - 20)]));
    // Foreign: alice's approval of the single proposal, carried by another proposal's grant.
    const foreign = made();
    await writeGov(root, 'grant', `refs/gatos/grants/${foreign.id}`, await grant(foreign, [approve(foreign.p, 'user:root'), approve(one.p, 'user:alice')]));
    // Tampered: two good approvals, the PoC changed and the grant signed again.
    const tam = made();
    const { key: _k, sig: _s, ...body } = await grant(tam, [approve(tam.p, 'user:root'), approve(tam.p, 'user:bob')]);
    const forged = signStatement({ ...body, poc: `blake3:${'0'.repeat(64)}` }, key('user:root'));
    if (!forged.ok) throw new Error(forged.error.message);
    await writeGov(root, 'grant', `refs/gatos/grants/${tam.id}`, forged.value);

    const ids = [one.id, dup.id, foreign.id, tam.id];
    const r = w.push(root, 'user:root', ['refs/gatos/policies/*', `refs/gatos/approvals/${one.id}/*`, ...ids.flatMap((id) => [`refs/gatos/proposals/${id}`, `refs/gatos/grants/${id}`])], { quorum: false });
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

  test('accepted with two approvals: the policy change lands with its grant', () => {
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
