/**
 * Signed pushes (`git push --signed`). receive-pack verifies the certificate
 * itself (with gpg, or with ssh-keygen against gpg.ssh.allowedSignersFile)
 * and hands pre-receive the outcome in GIT_PUSH_CERT_* variables; the update
 * hook never sees them. A certificate counts as verified when its signature
 * is good (status G, or U: good with unknown validity), its nonce is the one
 * this server issued (nonce status OK: replayed or stale certificates get
 * BAD, SLOP or MISSING), and its signer maps to a GATOS actor: through
 * gatos.pushCertMap (`<signer> <actor id>`), or the signer is itself an actor
 * id. Pure: the adapter passes the environment as a plain record.
 */
import { parseActor } from '../actors';
import type { GateConfig } from './config';
import type { EnvRecord } from './pusher';

export interface PushCert {
  /** Signature good, nonce ours, signer mapped to an actor. */
  readonly verified: boolean;
  /** The mapped actor id ('' when the signer maps to none). */
  readonly actor: string;
  /** GIT_PUSH_CERT_SIGNER: the gpg user id, or the principal of the allowed-signers file. */
  readonly signer: string;
  readonly key: string;
  /** GIT_PUSH_CERT_STATUS: G good, U good (unknown validity), B bad, X/Y expired, R revoked, E cannot check, N none. */
  readonly status: string;
  /** GIT_PUSH_CERT_NONCE_STATUS: OK, or UNSOLICITED, MISSING, BAD, SLOP. */
  readonly nonceStatus: string;
  /** The certificate blob id (GIT_PUSH_CERT). */
  readonly blob: string;
}

const GOOD_SIGNATURE = new Set(['G', 'U']);

export function signerActor(signer: string, config: GateConfig): string | undefined {
  const mapped = config.pushCertMap.get(signer);
  const a = parseActor(mapped ?? signer);
  return a.ok ? a.value.id : undefined;
}

/** The certificate of this push, or undefined when the push was not signed (or the hook cannot see certificates). */
export function readPushCert(env: EnvRecord, config: GateConfig): PushCert | undefined {
  const blob = env.GIT_PUSH_CERT;
  if (blob === undefined || blob === '') return undefined;
  const signer = env.GIT_PUSH_CERT_SIGNER ?? '';
  const status = env.GIT_PUSH_CERT_STATUS ?? '';
  const nonceStatus = env.GIT_PUSH_CERT_NONCE_STATUS ?? '';
  const actor = signer === '' ? undefined : signerActor(signer, config);
  const verified = GOOD_SIGNATURE.has(status) && nonceStatus === 'OK' && actor !== undefined;
  return { verified, actor: actor ?? '', signer, key: env.GIT_PUSH_CERT_KEY ?? '', status, nonceStatus, blob };
}

/** The `push_cert` request attribute: in pre-receive always (unsigned: verified false), never in the update hook, where a policy that asks for it therefore denies. */
export function pushCertAttribute(cert: PushCert | undefined): { verified: boolean; actor: string; signer: string; status: string; nonce_status: string } {
  if (!cert) return { verified: false, actor: '', signer: '', status: 'N', nonce_status: '' };
  return { verified: cert.verified, actor: cert.actor, signer: cert.signer, status: cert.status, nonce_status: cert.nonceStatus };
}
