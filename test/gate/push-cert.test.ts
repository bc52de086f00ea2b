/**
 * Signed pushes: a real `git push --signed` with an SSH key (gpg.format=ssh),
 * verified by receive-pack against the server's allowed-signers file with a
 * nonce from receive.certNonceSeed. The gate maps the certificate's key
 * fingerprint to an actor (gatos.pushCertKey; never the signer's text) and
 * gives the policy `push_cert`, so a policy can
 * require signed pushes; refusals record the certificate in the audit entry.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { readGateConfig } from '../../src/gate/config';
import { readPushCert } from '../../src/gate/push-cert';
import { GateWorld } from '../helpers/gate-world';
import { expectRefused, SIGNED_ONLY } from '../helpers/gate-scenarios';
import { describeIf, isExecutable, required } from '../helpers/requires';

const ALICE_SSH = `SHA256:${'A'.repeat(43)}`;
const ALICE_FPR = '69B1B0617D3C69FB38E6D3594C65CFFA35FA3556';
const BOB_FPR = '0123456789ABCDEF0123456789ABCDEF01234567';

describe('readPushCert (pure)', () => {
  const config = (() => {
    const c = readGateConfig([['gatos.pushcertkey', `${ALICE_SSH} user:alice`], ['gatos.pushcertkey', `${ALICE_FPR.toLowerCase()} user:alice`], ['gatos.pushcertkey', `${BOB_FPR} user:bob`]]);
    if (!c.ok) throw new Error(c.error.message);
    return c.value;
  })();
  const env = (status: string, nonce: string, key = ALICE_SSH, signer = 'user:alice') => ({ GIT_PUSH_CERT: 'a'.repeat(40), GIT_PUSH_CERT_STATUS: status, GIT_PUSH_CERT_NONCE_STATUS: nonce, GIT_PUSH_CERT_SIGNER: signer, GIT_PUSH_CERT_KEY: key });

  test('verified only with status G, our nonce and a mapped key', () => {
    expect(readPushCert({}, config)).toBeUndefined();
    expect(readPushCert(env('G', 'OK'), config)).toMatchObject({ verified: true, actor: 'user:alice' });
    for (const [s, n] of [['U', 'OK'], ['B', 'OK'], ['N', 'OK'], ['E', 'OK'], ['G', 'BAD'], ['G', 'SLOP'], ['G', 'MISSING'], ['G', 'UNSOLICITED']] as const) {
      expect(readPushCert(env(s, n), config)?.verified).toBe(false);
    }
  });

  test('the actor comes from the key, never from the signer text', () => {
    // A key nobody mapped, whatever user id its maker gave it.
    expect(readPushCert(env('G', 'OK', 'SHA256:' + 'B'.repeat(43), 'user:alice'), config)).toMatchObject({ verified: false, actor: '' });
    expect(readPushCert(env('G', 'OK', '', 'user:carol'), config)).toMatchObject({ verified: false, actor: '' });
    // bob's key signing as "user:alice" is bob's.
    expect(readPushCert(env('G', 'OK', BOB_FPR.slice(-16), 'user:alice'), config)).toMatchObject({ verified: true, actor: 'user:bob' });
    // OpenPGP: git gives the long key id; it names the mapped fingerprint it ends.
    expect(readPushCert(env('G', 'OK', ALICE_FPR.slice(-16).toLowerCase()), config)).toMatchObject({ verified: true, actor: 'user:alice' });
    expect(readPushCert(env('G', 'OK', ALICE_FPR.slice(-8)), config)).toMatchObject({ verified: false, actor: '' });
  });

  test('two mapped keys with one long key id and different actors map to none', () => {
    const twin = `${'0'.repeat(24)}${ALICE_FPR.slice(-16)}`;
    const c = readGateConfig([['gatos.pushcertkey', `${ALICE_FPR} user:alice`], ['gatos.pushcertkey', `${twin} user:bob`]]);
    if (!c.ok) throw new Error(c.error.message);
    expect(readPushCert(env('G', 'OK', ALICE_FPR.slice(-16)), c.value)).toMatchObject({ verified: false, actor: '' });
  });

  test('a malformed gatos.pushCertKey, a key given two actors, or the old signer map refuse every push', () => {
    expect(readGateConfig([['gatos.pushcertkey', `${ALICE_FPR} not-an-actor`]]).ok).toBe(false);
    expect(readGateConfig([['gatos.pushcertkey', 'user:alice user:alice']]).ok).toBe(false);
    expect(readGateConfig([['gatos.pushcertkey', `${ALICE_FPR.slice(-16)} user:alice`]]).ok).toBe(false);
    expect(readGateConfig([['gatos.pushcertkey', `${ALICE_FPR} user:alice`], ['gatos.pushcertkey', `${ALICE_FPR} user:bob`]]).ok).toBe(false);
    const old = readGateConfig([['gatos.pushcertmap', 'alice@example.com user:alice']]);
    expect(!old.ok && old.error.hint).toContain('gatos.pushCertKey');
  });
});

const SSH_KEYGEN = required('/usr/bin/ssh-keygen (makes and signs with the SSH keys of signed pushes)', isExecutable('/usr/bin/ssh-keygen'), 'openssh-client');

describeIf(SSH_KEYGEN, 'ssh-keygen is not installed')('git push --signed through the gate (sha1, regulated)', () => {
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

  function sshFingerprint(key: string): string {
    return spawnSync('ssh-keygen', ['-l', '-f', `${key}.pub`], { encoding: 'utf8' }).stdout.split(' ')[1] as string;
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
    srv(['gatos.pushCertKey', `${sshFingerprint(aliceKey)} user:alice`]);
    w.publishRegulated('root-signed', { 'gatos/policies/signed.rgs': SIGNED_ONLY });
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
    const fingerprint = sshFingerprint(strangerKey);
    expect(cert).toMatchObject({ signer: '', key: fingerprint, verified: false, actor: null });
  });
});
