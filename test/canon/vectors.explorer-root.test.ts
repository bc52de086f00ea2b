import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fromHex, toHex, utf8 } from '../../src/core/bytes';
import { blake3, formatDigest } from '../../src/canon/digest';
import { explorerRoot } from '../../src/canon/explorer-root';
import { reportCount, SPEC_DIR, testWithShared } from '../helpers/vectors';

/**
 * The published example, from ../shared/spec/GATOS-NOTES.md, section
 * "A published vector (draft SPEC §15.1, Explorer-Root)".
 */
const PUBLISHED = {
  ledgerHead: '1111111111111111111111111111111111111111',
  policyRoot: '2222222222222222222222222222222222222222',
  foldRoot: 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  version: 'v1.2.3+linux-x86_64',
  expected: 'e4cbbcc02698608bb59ed39d715ffd6e74c2865f473daf7cb861f9da33565d9d',
};

function root(...args: [string, string, string, string]) {
  const r = explorerRoot(...args);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

describe('explorerRoot', () => {
  it('reproduces the published Explorer-Root example', () => {
    const d = root(PUBLISHED.ledgerHead, PUBLISHED.policyRoot, PUBLISHED.foldRoot, PUBLISHED.version);
    expect(d.alg).toBe('blake3');
    expect(toHex(d.bytes)).toBe(PUBLISHED.expected);
    expect(formatDigest(d)).toBe(`blake3:${PUBLISHED.expected}`);
    reportCount('explorer-root published example', 1, 1);
  });

  testWithShared(path.join(SPEC_DIR, 'GATOS-NOTES.md'))('still matches the example as written in GATOS-NOTES.md', (notes) => {
    const text = readFileSync(notes, 'utf8');
    for (const v of Object.values(PUBLISHED)) expect(text).toContain(v);
  });

  it('hashes length-prefixed parts, assembled here by hand', () => {
    // 4-byte big-endian lengths: 20 bytes (0x14), 32 (0x20), 32 (0x20), and 4 for 'v9é' (é is 2 bytes in UTF-8).
    const ledger = 'ab'.repeat(20);
    const policy = 'cd'.repeat(32);
    const fold = 'ef'.repeat(32);
    const manual = fromHex(`00000014${ledger}00000020${policy}00000020${fold}00000004${toHex(utf8('v9é'))}`) as Uint8Array;
    expect(manual.length).toBe(4 + 20 + 4 + 32 + 4 + 32 + 4 + 4);
    expect(toHex(root(ledger, policy, fold, 'v9é').bytes)).toBe(toHex(blake3(manual)));
  });

  it('separates the fields: moving a byte between them changes the root', () => {
    const a = root('11'.repeat(20), '22'.repeat(20), 'aa'.repeat(32), 'v1');
    const b = root('11'.repeat(20), '22'.repeat(20), 'aa'.repeat(32), 'v1 ');
    const c = root('11'.repeat(32), '22'.repeat(20), 'aa'.repeat(32), 'v1');
    expect(new Set([toHex(a.bytes), toHex(b.bytes), toHex(c.bytes)]).size).toBe(3);
  });

  it.each<[string, [string, string, string, string], RegExp]>([
    ['uppercase hex', ['AB'.repeat(20), '22'.repeat(20), 'aa'.repeat(32), 'v1'], /ledger_head .* is not 40 or 64 lowercase hex digits/],
    ['a short commit id', ['11'.repeat(19), '22'.repeat(20), 'aa'.repeat(32), 'v1'], /ledger_head/],
    ['a prefixed fold_root', ['11'.repeat(20), '22'.repeat(20), `sha256:${'aa'.repeat(32)}`, 'v1'], /fold_root .* is not 64 lowercase hex digits/],
    ['a 20-byte fold_root', ['11'.repeat(20), '22'.repeat(20), 'aa'.repeat(20), 'v1'], /fold_root/],
    ['a policy_root that is not hex', ['11'.repeat(20), 'zz'.repeat(20), 'aa'.repeat(32), 'v1'], /policy_root/],
    ['an empty version', ['11'.repeat(20), '22'.repeat(20), 'aa'.repeat(32), ''], /version is empty/],
  ])('refuses %s', (_what, args, pattern) => {
    const r = explorerRoot(...args);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('VALUE_INVALID');
      expect(r.error.message).toMatch(pattern);
      expect(r.error.hint).toBeTruthy();
    }
  });
});
