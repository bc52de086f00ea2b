/**
 * The signature pool gives the answers of the one verifier
 * (src/canon/ed25519.ts verify), whether the built hook answers on a worker
 * thread or the worker cannot start and the main thread answers: valid,
 * tampered message, tampered signature, wrong key, malformed lengths.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { generateKeyPair, sign, verify } from '../../src/canon/ed25519';
import { utf8 } from '../../src/core/bytes';
import { SignaturePool } from '../../src/push/sig-pool';

const HOOK = path.resolve(__dirname, '../../hooks/pre-receive.cjs');

function cases(): [Uint8Array, Uint8Array, Uint8Array][] {
  const a = generateKeyPair();
  const b = generateKeyPair();
  const out: [Uint8Array, Uint8Array, Uint8Array][] = [];
  for (let i = 0; i < 50; i++) {
    const m = utf8(`event ${i}`);
    const s = sign(a.seed, m);
    const bad = s.slice();
    bad[i % 64] = (bad[i % 64] as number) ^ 1;
    out.push([a.publicKey, m, s], [a.publicKey, utf8(`event ${i}!`), s], [a.publicKey, m, bad], [b.publicKey, m, s], [a.publicKey.slice(1), m, s], [a.publicKey, m, s.slice(1)]);
  }
  return out;
}

describe('SignaturePool', () => {
  it('answers on the worker exactly as verify does', async () => {
    if (!existsSync(HOOK)) throw new Error(`${HOOK} is missing: run 'npm run build' first`);
    const pool = new SignaturePool(HOOK);
    const all = cases();
    const got = await Promise.all(all.map(([k, m, s]) => pool.check(k, m, s)));
    expect(pool.answered).toBe(all.length);
    await pool.close();
    expect(got).toEqual(all.map(([k, m, s]) => verify(k, m, s)));
    expect(got.filter(Boolean)).toHaveLength(50);
  });

  it('answers on this thread when the worker cannot start', async () => {
    const pool = new SignaturePool(path.join(__dirname, 'no-such-hook.cjs'));
    const all = cases();
    const got = await Promise.all(all.map(([k, m, s]) => pool.check(k, m, s)));
    await pool.close();
    expect(pool.answered).toBe(0);
    expect(got).toEqual(all.map(([k, m, s]) => verify(k, m, s)));
  });
});
