/**
 * Key files: written 0600 in 0700 folders outside the repository, refused
 * when others can read them or when they lie about their key, rotated with
 * the old file kept; the cached signer gives the reference signatures.
 */
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, sign } from '../../src/canon/ed25519';
import { utf8 } from '../../src/core/bytes';
import { formatKeyFile, loadKey, newKey, signFast } from '../../src/keys';
import { tmpDir } from '../helpers/tmp';

describe('keys', () => {
  it('writes a private key only its owner can read and loads it back', () => {
    const dir = path.join(tmpDir(), 'keys');
    const r = newKey({ keyDir: dir, actor: 'user:alice' });
    if (!r.ok) throw new Error(r.error.message);
    expect(statSync(r.value.file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(r.value.file)).mode & 0o777).toBe(0o700);
    const back = loadKey(dir, 'user:alice');
    expect(back.ok && Buffer.from(back.value.publicKey).equals(Buffer.from(r.value.key.publicKey))).toBe(true);
    expect(newKey({ keyDir: dir, actor: 'user:alice' }).ok).toBe(false);
  });

  it('refuses a key dir inside the repository, a readable file and a lying file', () => {
    const repo = tmpDir();
    const inside = newKey({ keyDir: path.join(repo, 'keys'), actor: 'user:a', forbiddenRoots: [repo] });
    expect(!inside.ok && inside.error.message).toContain('must never be committed');
    const dir = path.join(tmpDir(), 'keys');
    const made = newKey({ keyDir: dir, actor: 'user:b' });
    if (!made.ok) throw new Error(made.error.message);
    chmodSync(made.value.file, 0o644);
    const loose = loadKey(dir, 'user:b');
    expect(!loose.ok && loose.error.message).toContain('can be read by other users');
    const other = generateKeyPair();
    const lie = JSON.parse(Buffer.from(formatKeyFile(made.value.key)).toString()) as Record<string, string>;
    lie.public = `ed25519:${Buffer.from(other.publicKey).toString('hex')}`;
    const sorted = `{"actor":"${lie.actor}","public":"${lie.public}","seed":"${lie.seed}","type":"${lie.type}","v":1}`;
    writeFileSync(made.value.file, utf8(sorted), { mode: 0o600 });
    chmodSync(made.value.file, 0o600);
    const lying = loadKey(dir, 'user:b');
    expect(!lying.ok && lying.error.message).toContain('does not give the stated public key');
  });

  it('rotation keeps the old file and writes a new key', () => {
    const dir = path.join(tmpDir(), 'keys');
    const first = newKey({ keyDir: dir, actor: 'agent:ci' });
    const second = newKey({ keyDir: dir, actor: 'agent:ci', rotate: true });
    if (!first.ok || !second.ok) throw new Error('newKey failed');
    expect(second.value.rotatedTo && existsSync(second.value.rotatedTo)).toBe(true);
    expect(readdirSync(path.join(dir, 'agent')).length).toBe(2);
    expect(Buffer.from(second.value.key.publicKey).equals(Buffer.from(first.value.key.publicKey))).toBe(false);
  });

  it('the cached signer gives the same signatures as the reference', () => {
    const k = generateKeyPair();
    for (const m of ['', 'a', 'x'.repeat(1000)]) expect(Buffer.from(signFast(k, utf8(m))).equals(Buffer.from(sign(k.seed, utf8(m))))).toBe(true);
  });
});
