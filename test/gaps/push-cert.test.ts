/**
 * Signed pushes: a real `git push --signed` with an SSH key (gpg.format=ssh),
 * verified by receive-pack against the server's allowed-signers file with a
 * nonce from receive.certNonceSeed. The gate maps the signer to an actor
 * (gatos.pushCertMap) and gives the policy `push_cert`, so a policy can
 * require signed pushes; refusals record the certificate in the audit entry.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readGateConfig } from '../../src/gate/config';
import { readPushCert } from '../../src/gate/push-cert';
import { GateWorld } from '../helpers/gate-world';
import { expectRefused } from '../helpers/gate-scenarios';

const SIGNED_ONLY = `rules:
  - id: signed/branches
    description: branch pushes carry a verified push certificate of the pusher
    when: { ref: "refs/heads/**" }
    deny_if: "not (push_cert.verified and push_cert.actor == actor.id)"
    reason: "pushes to branches must be signed (git push --signed) with the pusher's own key"
`;

describe('readPushCert (pure)', () => {
  const config = (() => {
    const c = readGateConfig([['gatos.pushcertmap', 'alice@example.com user:alice']]);
    if (!c.ok) throw new Error(c.error.message);
    return c.value;
  })();
  const env = (status: string, nonce: string, signer = 'alice@example.com') => ({ GIT_PUSH_CERT: 'a'.repeat(40), GIT_PUSH_CERT_STATUS: status, GIT_PUSH_CERT_NONCE_STATUS: nonce, GIT_PUSH_CERT_SIGNER: signer, GIT_PUSH_CERT_KEY: 'SHA256:x' });

  test('verified only with a good signature, our nonce and a mapped signer', () => {
    expect(readPushCert({}, config)).toBeUndefined();
    expect(readPushCert(env('G', 'OK'), config)).toMatchObject({ verified: true, actor: 'user:alice' });
    expect(readPushCert(env('U', 'OK'), config)?.verified).toBe(true);
    for (const [s, n] of [['B', 'OK'], ['N', 'OK'], ['E', 'OK'], ['G', 'BAD'], ['G', 'SLOP'], ['G', 'MISSING'], ['G', 'UNSOLICITED']] as const) {
      expect(readPushCert(env(s, n), config)?.verified).toBe(false);
    }
    expect(readPushCert(env('G', 'OK', 'mallory@example.com'), config)).toMatchObject({ verified: false, actor: '' });
    expect(readPushCert(env('G', 'OK', ''), config)).toMatchObject({ verified: false, actor: '' });
    expect(readPushCert(env('G', 'OK', 'user:carol'), config)).toMatchObject({ verified: true, actor: 'user:carol' });
  });

  test('a malformed gatos.pushCertMap refuses every push', () => {
    const bad = readGateConfig([['gatos.pushcertmap', 'alice@example.com not-an-actor']]);
    expect(bad.ok).toBe(false);
  });
});

describe('git push --signed through the gate (sha1, regulated)', () => {
  let w: GateWorld;
  let alice: string;
  let bob: string;
  let aliceKey: string;
  let strangerKey: string;
  const allowed = () => path.join(w.root, 'allowed_signers');

  function sshKey(name: string): string {
    const file = path.join(w.root, `${name}_ed25519`);
    const r = spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
    if (r.status !== 0) throw new Error(String(r.stderr));
    return file;
  }

  function signedPush(dir: string, actor: string, key: string, ref: string) {
    w.git(dir, ['config', 'gpg.format', 'ssh']);
    w.git(dir, ['config', 'user.signingkey', key]);
    return w.git(dir, ['push', '--signed', 'origin', `HEAD:${ref}`], w.transport.env(actor));
  }

  function commit(dir: string, msg: string): void {
    w.git(dir, ['commit', '-q', '--allow-empty', '-m', msg]);
  }

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1' }).setup();
    aliceKey = sshKey('alice');
    strangerKey = sshKey('stranger');
    writeFileSync(allowed(), `alice@example.com ${readFileSync(`${aliceKey}.pub`, 'utf8')}`);
    const srv = (args: string[]) => w.git(w.root, ['--git-dir', w.gitDir, 'config', ...args]);
    srv(['receive.certNonceSeed', 'a-long-random-secret-of-the-host']);
    srv(['gpg.ssh.allowedSignersFile', allowed()]);
    srv(['gatos.pushCertMap', 'alice@example.com user:alice']);
    const root = w.client('user:root', 'root-signed');
    expect(w.gatos(root, ['policy', 'init', '--template', 'regulated', '--force']).status).toBe(0);
    cpSync(path.join(w.admin, 'gatos/trust'), path.join(root, 'gatos/trust'), { recursive: true });
    writeFileSync(path.join(root, 'gatos/policies/signed.rgs'), SIGNED_ONLY);
    expect(w.gatos(root, ['policy', 'publish', '--as', 'user:root']).status).toBe(0);
    const r = w.push(root, 'user:root', ['refs/gatos/policies/*']);
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
    alice = w.client('user:alice');
    bob = w.client('user:bob');
  });

  test('an unsigned push is refused by the policy (POLICY_DENY, signed/branches); the audit entry has no certificate', () => {
    commit(alice, 'unsigned');
    expectRefused(w, () => w.push(alice, 'user:alice', ['HEAD:refs/heads/alice']), 'POLICY_DENY', 'signed/branches');
    expect(w.auditEntries().at(-1)).toMatchObject({ push_cert: null });
  });

  test('a push signed with the pusher\'s allowed key is accepted', () => {
    const r = signedPush(alice, 'user:alice', aliceKey, 'refs/heads/alice');
    expect(r.stderr).not.toContain('DENIED');
    expect(r.status).toBe(0);
    expect(w.serverRefs()).toContain(' refs/heads/alice');
  });

  test("alice's certificate on bob's push is refused, and the audit entry records it verified for user:alice", () => {
    commit(bob, 'bob with alice key');
    expectRefused(w, () => signedPush(bob, 'user:bob', aliceKey, 'refs/heads/bob'), 'POLICY_DENY', 'signed/branches');
    expect(w.auditEntries().at(-1)).toMatchObject({ push_cert: { signer: 'alice@example.com', status: 'G', nonce_status: 'OK', actor: 'user:alice', verified: true } });
  });

  test('a key the host does not list gives an unverified certificate: refused, recorded', () => {
    // git checks an SSH signature it cannot attribute with check-novalidate: status G, but no signer.
    // That is why the gate counts the signer's mapping, not the status alone.
    commit(alice, 'stranger key');
    expectRefused(w, () => signedPush(alice, 'user:alice', strangerKey, 'refs/heads/alice'), 'POLICY_DENY', 'signed/branches');
    const cert = (w.auditEntries().at(-1) as unknown as { push_cert: { signer: string; key: string; verified: boolean; actor: string | null } }).push_cert;
    const fingerprint = spawnSync('ssh-keygen', ['-l', '-f', `${strangerKey}.pub`], { encoding: 'utf8' }).stdout.split(' ')[1];
    expect(cert).toMatchObject({ signer: '', key: fingerprint, verified: false, actor: null });
  });
});
