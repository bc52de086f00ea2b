/**
 * Adversarial signed pushes (issue 17 class 2): a push certificate's actor
 * comes from the operator's map of key fingerprints (gatos.pushCertKey),
 * never from the user ID the key's maker typed. Real GnuPG keys, a server
 * keyring holding them without any certification (what operators did when
 * told to "import them"), real `git push --signed`, sha1 and sha256.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { SIGNED_ONLY } from '../helpers/gate-scenarios';
import { GateWorld } from '../helpers/gate-world';
import { commandRuns, describeIf, required } from '../helpers/requires';
import { expectAccepted, expectAttackRefused, publishBundle } from './harness';

interface GpgKey {
  readonly home: string;
  readonly fpr: string;
}

function gpg(home: string, args: readonly string[], input?: string): string {
  const r = spawnSync('gpg', ['--batch', '--no-tty', ...args], { env: { ...process.env, GNUPGHOME: home }, input, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A fresh GnuPG home with one signing key for `uid`, as anyone can make it. */
function gpgKey(root: string, name: string, uid: string): GpgKey {
  const home = path.join(root, `gnupg-${name}`);
  mkdirSync(home, { recursive: true, mode: 0o700 });
  gpg(home, ['--passphrase', '', '--quick-gen-key', uid, 'ed25519', 'sign', 'never']);
  const fpr = /^fpr:+([0-9A-F]{40}):/m.exec(gpg(home, ['--with-colons', '--list-keys', uid]))?.[1];
  if (!fpr) throw new Error('no fingerprint');
  return { home, fpr };
}

const GPG = required('gpg (GnuPG: makes the keys and signs the pushes)', commandRuns('gpg'), 'gnupg');

for (const format of ['sha1', 'sha256'] as const) {
  describeIf(GPG, 'gpg is not installed')(`signed pushes are mapped by key, not by user ID (${format}, regulated)`, () => {
    let w: GateWorld;
    let alice: string;
    let bob: string;
    let serverHome: string;
    let aliceKey: GpgKey;
    let mallory: GpgKey;
    let unmapped: GpgKey;
    let stranger: GpgKey;

    const homes: string[] = [];

    function signedPush(dir: string, actor: string, key: GpgKey, ref: string) {
      w.git(dir, ['commit', '-q', '--allow-empty', '-m', `${actor} signs with ${key.fpr.slice(-8)}`]);
      return () => w.git(dir, ['-c', `user.signingkey=${key.fpr}`, 'push', '--signed', `--receive-pack=env GNUPGHOME=${serverHome} git-receive-pack`, 'origin', `HEAD:${ref}`], { GNUPGHOME: key.home, ...w.transport.env(actor) });
    }

    function lastCert(): { signer: string; key: string; status: string; actor: string | null; verified: boolean } {
      return (w.auditEntries().at(-1) as unknown as { push_cert: { signer: string; key: string; status: string; actor: string | null; verified: boolean } }).push_cert;
    }

    beforeAll(() => {
      w = new GateWorld({ format }).setup();
      aliceKey = gpgKey(w.root, 'alice', 'Alice <alice@example.com>');
      // Bob (mallory) makes a key whose user ID is alice's actor id.
      mallory = gpgKey(w.root, 'mallory', 'user:alice');
      unmapped = gpgKey(w.root, 'unmapped', 'user:alice');
      stranger = gpgKey(w.root, 'stranger', 'user:alice');
      homes.push(aliceKey.home, mallory.home, unmapped.home, stranger.home);
      serverHome = path.join(w.root, 'gnupg-server');
      mkdirSync(serverHome, { recursive: true, mode: 0o700 });
      homes.push(serverHome);
      // The host imports every key it was handed, certifying none (status G regardless, as git reports it).
      for (const k of [aliceKey, mallory, unmapped]) gpg(serverHome, ['--import'], gpg(k.home, ['--armor', '--export', k.fpr]));
      const srv = (args: string[]) => w.git(w.root, ['--git-dir', w.gitDir, 'config', ...args]);
      srv(['receive.certNonceSeed', 'a-long-random-secret-of-the-host']);
      srv(['--add', 'gatos.pushCertKey', `${aliceKey.fpr} user:alice`]);
      srv(['--add', 'gatos.pushCertKey', `${mallory.fpr} user:bob`]);
      publishBundle(w, 'regulated', { 'gatos/policies/signed.rgs': SIGNED_ONLY });
      alice = w.client('user:alice');
      bob = w.client('user:bob');
    });

    afterAll(() => {
      for (const h of homes) spawnSync('gpgconf', ['--kill', 'gpg-agent'], { env: { ...process.env, GNUPGHOME: h } });
    });

    test("alice's own mapped key signs her push: accepted, the certificate recorded as hers", () => {
      expectAccepted(w, signedPush(alice, 'user:alice', aliceKey, 'refs/heads/alice'));
    });

    test("bob's key, whose user ID he set to user:alice, signs his own push: accepted as bob's", () => {
      expectAccepted(w, signedPush(bob, 'user:bob', mallory, 'refs/heads/bob'));
    });

    test("bob's key with user ID user:alice on a push as alice is refused: the key is bob's (POLICY_DENY, signed/branches)", () => {
      // Forged identity: the user ID says user:alice, git says G, the map says bob.
      expectAttackRefused(w, signedPush(alice, 'user:alice', mallory, 'refs/heads/alice'), { code: 'POLICY_DENY', rule: 'signed/branches' });
      expect(lastCert()).toMatchObject({ signer: 'user:alice', key: mallory.fpr.slice(-16), status: 'G', actor: 'user:bob', verified: true });
    });

    test('a self-made user:alice key in the keyring but in no map is refused (POLICY_DENY, signed/branches)', () => {
      // Imported without certification: git reports G and signer "user:alice"; nothing maps the key.
      expectAttackRefused(w, signedPush(alice, 'user:alice', unmapped, 'refs/heads/alice'), { code: 'POLICY_DENY', rule: 'signed/branches' });
      expect(lastCert()).toMatchObject({ signer: 'user:alice', status: 'G', actor: null, verified: false });
    });

    test("a user:alice key the host never imported is refused (POLICY_DENY, signed/branches)", () => {
      // git cannot check it at all.
      expectAttackRefused(w, signedPush(alice, 'user:alice', stranger, 'refs/heads/alice'), { code: 'POLICY_DENY', rule: 'signed/branches' });
      expect(lastCert()).toMatchObject({ actor: null, verified: false });
    });

    test("alice's mapped key on bob's push is refused (POLICY_DENY, signed/branches)", () => {
      // A certificate of someone else's key proves nothing about the pusher.
      expectAttackRefused(w, signedPush(bob, 'user:bob', aliceKey, 'refs/heads/bob'), { code: 'POLICY_DENY', rule: 'signed/branches' });
      expect(lastCert()).toMatchObject({ actor: 'user:alice', verified: true });
    });

    test('an unsigned push is refused (POLICY_DENY, signed/branches)', () => {
      // Nothing to map at all.
      w.git(alice, ['commit', '-q', '--allow-empty', '-m', 'unsigned']);
      expectAttackRefused(w, () => w.push(alice, 'user:alice', ['HEAD:refs/heads/alice']), { code: 'POLICY_DENY', rule: 'signed/branches' });
    });

    if (format === 'sha1') {
      test('an SSH key whose allowed-signers principal is user:alice but whose fingerprint is unmapped is refused', () => {
        // The principal is text in a file; only the fingerprint map names actors.
        const file = path.join(w.root, 'ssh_alice_ed25519');
        spawnSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'x', '-f', file]);
        const allowed = path.join(w.root, 'allowed_signers');
        writeFileSync(allowed, `user:alice ${readFileSync(`${file}.pub`, 'utf8')}`);
        w.git(w.root, ['--git-dir', w.gitDir, 'config', 'gpg.ssh.allowedSignersFile', allowed]);
        w.git(alice, ['commit', '-q', '--allow-empty', '-m', 'ssh']);
        const push = () => w.git(alice, ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${file}`, 'push', '--signed', 'origin', 'HEAD:refs/heads/alice'], w.transport.env('user:alice'));
        expectAttackRefused(w, push, { code: 'POLICY_DENY', rule: 'signed/branches' });
        expect(lastCert()).toMatchObject({ signer: 'user:alice', status: 'G', actor: null, verified: false });
        // Mapped by its fingerprint, the same key is alice's.
        const fpr = spawnSync('ssh-keygen', ['-l', '-f', `${file}.pub`], { encoding: 'utf8' }).stdout.split(' ')[1] as string;
        w.git(w.root, ['--git-dir', w.gitDir, 'config', '--add', 'gatos.pushCertKey', `${fpr} user:alice`]);
        expectAccepted(w, push);
      });
    }
  });
}
