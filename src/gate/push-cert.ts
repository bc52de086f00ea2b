/**
 * Signed pushes (`git push --signed`). receive-pack verifies the certificate
 * itself (with gpg against the keyring of the user it runs as, or with
 * ssh-keygen against gpg.ssh.allowedSignersFile) and hands pre-receive the
 * outcome in GIT_PUSH_CERT_* variables; the update hook never sees them.
 *
 * Identity comes from the key, never from the signer's text: a GnuPG user ID
 * is whatever the key's generator typed (anyone can make a key for
 * `user:alice`), and git reports status G for a key imported into the
 * keyring without any certification (measured with git 2.39: neither
 * ownertrust nor gpg.minTrustLevel changes GIT_PUSH_CERT_STATUS). So the
 * operator's map from key fingerprint to actor (gatos.pushCertKey) is the
 * only source of a certificate's actor, and a certificate counts as
 * verified when git checked it good (status G exactly), its nonce is the
 * one this server issued (nonce status OK: replayed or stale certificates
 * get BAD, SLOP or MISSING), and its key is mapped. GIT_PUSH_CERT_KEY is the
 * SSH fingerprint (`SHA256:...`) or, for OpenPGP, the 16-hex long key ID of
 * the signing key: it must be the last 16 digits of exactly one mapped
 * fingerprint. Pure: the adapter passes the environment as a plain record.
 */
import type { GateConfig } from './config';
import type { EnvRecord } from './pusher';

export interface PushCert {
  /** Signature good (G), nonce ours, key mapped to an actor. */
  readonly verified: boolean;
  /** The actor the key maps to ('' when it maps to none). */
  readonly actor: string;
  /** GIT_PUSH_CERT_SIGNER: the gpg user id, or the principal of the allowed-signers file. Recorded, never trusted. */
  readonly signer: string;
  /** GIT_PUSH_CERT_KEY: OpenPGP long key id or SSH fingerprint. */
  readonly key: string;
  /** GIT_PUSH_CERT_STATUS: G good, U good (unknown validity), B bad, X/Y expired, R revoked, E cannot check, N none. */
  readonly status: string;
  /** GIT_PUSH_CERT_NONCE_STATUS: OK, or UNSOLICITED, MISSING, BAD, SLOP. */
  readonly nonceStatus: string;
  /** The certificate blob id (GIT_PUSH_CERT). */
  readonly blob: string;
}

/** The actor gatos.pushCertKey gives the certificate key `key` (GIT_PUSH_CERT_KEY), if exactly one mapped key is it. */
export function keyActor(key: string, config: Pick<GateConfig, 'pushCertKeys'>): string | undefined {
  if (key.startsWith('SHA256:')) return config.pushCertKeys.get(key);
  const k = key.toUpperCase();
  if (!/^(?:[0-9A-F]{16}|[0-9A-F]{40}|[0-9A-F]{64})$/.test(k)) return undefined;
  const actors = new Set<string>();
  for (const [fpr, actor] of config.pushCertKeys) if (fpr.length > 16 && fpr.endsWith(k)) actors.add(actor);
  // Two mapped keys sharing a long key id to different actors: the id does not say which signed.
  return actors.size === 1 ? [...actors][0] : undefined;
}

/** The certificate of this push, or undefined when the push was not signed (or the hook cannot see certificates). */
export function readPushCert(env: EnvRecord, config: GateConfig): PushCert | undefined {
  const blob = env.GIT_PUSH_CERT;
  if (blob === undefined || blob === '') return undefined;
  const signer = env.GIT_PUSH_CERT_SIGNER ?? '';
  const key = env.GIT_PUSH_CERT_KEY ?? '';
  const status = env.GIT_PUSH_CERT_STATUS ?? '';
  const nonceStatus = env.GIT_PUSH_CERT_NONCE_STATUS ?? '';
  const actor = key === '' ? undefined : keyActor(key, config);
  const verified = status === 'G' && nonceStatus === 'OK' && actor !== undefined;
  return { verified, actor: actor ?? '', signer, key, status, nonceStatus, blob };
}

/** The `push_cert` request attribute: in pre-receive always (unsigned: verified false), never in the update hook, where a policy that asks for it therefore denies. */
export function pushCertAttribute(cert: PushCert | undefined): { verified: boolean; actor: string; signer: string; status: string; nonce_status: string } {
  if (!cert) return { verified: false, actor: '', signer: '', status: 'N', nonce_status: '' };
  return { verified: cert.verified, actor: cert.actor, signer: cert.signer, status: cert.status, nonce_status: cert.nonceStatus };
}
