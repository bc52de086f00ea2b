/** The Proof-of-Consensus hashes approvals sorted by signer: the order they arrive in never changes it (docs/governance.md). */
import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { governance as gov, type JsonObject } from '../../src/trust';

function keyOf(i: number): { seed: Uint8Array; publicKey: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const seed = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }).subarray(-32));
  const pub = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(-32));
  void i;
  return { seed, publicKey: pub };
}

const BASE = 'a'.repeat(40);
const proposalStmt = gov.makeProposal({ id: '01JA0000000000000000000000', actor: 'user:root', ts: 1_700_000_000, base: BASE, commit: 'b'.repeat(40), refs: ['refs/gatos/policies/active'] }, keyOf(0));
if (!proposalStmt.ok) throw new Error(proposalStmt.error.message);
const proposal = gov.readProposal(proposalStmt.value);
if (!proposal.ok) throw new Error(proposal.error.message);
const approvals: JsonObject[] = ['user:alice', 'user:bob', 'user:carol', 'user:alice'].map((actor, i) => {
  const a = gov.makeApproval(proposal.value, { actor, ts: 1_700_000_000 + i, exp: 1_800_000_000, bundle: BASE }, keyOf(i + 1));
  if (!a.ok) throw new Error(a.error.message);
  return a.value;
});
const quorum = { of: '@leads', at_least: 2 };

describe('Proof-of-Consensus', () => {
  const reference = gov.proofOfConsensus(proposalStmt.value, approvals, 'policy/quorum', quorum);
  test('approval order never changes it', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray(approvals.map((_, i) => i), { minLength: approvals.length, maxLength: approvals.length }), (order) => {
        expect(gov.proofOfConsensus(proposalStmt.value, order.map((i) => approvals[i] as JsonObject), 'policy/quorum', quorum)).toEqual(reference);
      }),
      { numRuns: 50 },
    );
  });

  test('it binds the rule, the quorum and every approval', () => {
    const poc = (r: ReturnType<typeof gov.proofOfConsensus>) => (r.ok ? r.value : r.error.message);
    expect(poc(reference)).toMatch(/^blake3:[0-9a-f]{64}$/);
    expect(poc(gov.proofOfConsensus(proposalStmt.value, approvals, 'policy/other', quorum))).not.toBe(poc(reference));
    expect(poc(gov.proofOfConsensus(proposalStmt.value, approvals, 'policy/quorum', { ...quorum, at_least: 3 }))).not.toBe(poc(reference));
    expect(poc(gov.proofOfConsensus(proposalStmt.value, approvals.slice(1), 'policy/quorum', quorum))).not.toBe(poc(reference));
  });
});
