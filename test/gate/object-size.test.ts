/**
 * gatos.maxBlobBytes: the airgapped template sets it (1 MiB) at install;
 * a real push bringing a larger new blob is refused with POLICY_DENY and
 * rule gate/object-size (the limit covers every object type: commits, tags and trees too), audited, refs unchanged; a small one is accepted.
 * The setting's parsing and the pure denial are checked on their own.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { readGateConfig } from '../../src/gate/config';
import { objectSizeDenials } from '../../src/gate/blob-limit';
import { GateWorld } from '../helpers/gate-world';
import { expectRefused } from '../helpers/gate-scenarios';

describe('gatos.maxBlobBytes (config and the pure rule)', () => {
  test('a whole number of bytes is read; anything else refuses every push', () => {
    const r = readGateConfig([['gatos.maxblobbytes', '1048576']]);
    expect(r.ok && r.value.maxObjectBytes).toBe(1048576);
    const none = readGateConfig([]);
    expect(none.ok && none.value.maxObjectBytes).toBeUndefined();
    // The newer name, and both: the smaller wins whichever comes first.
    const o = readGateConfig([['gatos.maxobjectbytes', '4096']]);
    expect(o.ok && o.value.maxObjectBytes).toBe(4096);
    const both = readGateConfig([['gatos.maxobjectbytes', '4096'], ['gatos.maxblobbytes', '1048576']]);
    expect(both.ok && both.value.maxObjectBytes).toBe(4096);
    for (const bad of ['', '1M', '-1', '1.5', ' 10']) {
      const b = readGateConfig([['gatos.maxblobbytes', bad]]);
      expect(b.ok).toBe(false);
      if (!b.ok) expect(b.error.message).toContain('gatos.maxblobbytes');
      expect(readGateConfig([['gatos.maxobjectbytes', bad]]).ok).toBe(false);
    }
  });

  test('blobs at the limit pass; larger ones are named, largest first', () => {
    const blobs = [
      { id: 'a'.repeat(40), type: 'blob' as const, path: 'ok.txt', size: 100 },
      { id: 'b'.repeat(40), type: 'blob' as const, path: 'big.dat', size: 101 },
      { id: 'c'.repeat(40), type: 'blob' as const, path: 'bigger.dat', size: 500 },
    ];
    expect(objectSizeDenials('refs/heads/main', blobs, 500)).toEqual([]);
    expect(objectSizeDenials('refs/heads/main', blobs, undefined)).toEqual([]);
    const d = objectSizeDenials('refs/heads/main', blobs, 100);
    expect(d).toHaveLength(1);
    expect(d[0]?.code).toBe('POLICY_DENY');
    expect(d[0]?.ruleId).toBe('gate/object-size');
    expect(d[0]?.reason).toBe(`2 new blobs above the limit of 100 bytes: bigger.dat (500 bytes, blob ${'c'.repeat(40)}), big.dat (101 bytes, blob ${'b'.repeat(40)})`);
  });

  test('commits, tags and pathless blobs count too, each named by its type', () => {
    const objects = [
      { id: 'd'.repeat(40), type: 'commit' as const, size: 300 },
      { id: 'e'.repeat(40), type: 'blob' as const, size: 200 },
      { id: 'f'.repeat(40), type: 'tag' as const, size: 50 },
    ];
    const d = objectSizeDenials('refs/tags/v1', objects, 100);
    expect(d[0]?.reason).toBe(`2 new objects above the limit of 100 bytes: commit ${'d'.repeat(40)} (300 bytes, named by no path), blob ${'e'.repeat(40)} (200 bytes, named by no path)`);
    expect(objectSizeDenials('refs/tags/v1', objects.slice(0, 1), 100)[0]?.reason).toMatch(/^1 new commit above/);
  });
});

for (const format of ['sha1', 'sha256'] as const) {
  describe(`blob-size limit over a real push (airgapped, ${format})`, () => {
    let w: GateWorld;
    let root: string;

    beforeAll(() => {
      w = new GateWorld({ format, template: 'airgapped' }).setup();
      root = w.client('user:root');
    });

    test('install wrote the template limit into git config', () => {
      expect(w.git(w.root, ['--git-dir', w.gitDir, 'config', 'gatos.maxBlobBytes']).stdout.trim()).toBe('1048576');
    });

    test('a small new blob is accepted', () => {
      writeFileSync(path.join(root, 'notes.txt'), 'small\n');
      w.git(root, ['add', 'notes.txt']);
      w.git(root, ['commit', '-q', '-m', 'notes']);
      const r = w.push(root, 'user:root', ['HEAD:refs/heads/main']);
      expect(r.stderr).not.toContain('DENIED');
      expect(r.status).toBe(0);
    });

    test('a blob above 1 MiB under an innocent name is refused (POLICY_DENY, gate/object-size), audited, refs unchanged', () => {
      // Random bytes do not compress, and .dat is on no extension list: only the size can catch it.
      writeFileSync(path.join(root, 'weights.dat'), randomBytes(1048577));
      w.git(root, ['add', 'weights.dat']);
      w.git(root, ['commit', '-q', '-m', 'a renamed model']);
      const blob = w.git(root, ['rev-parse', 'HEAD:weights.dat']).stdout.trim();
      expectRefused(w, () => w.push(root, 'user:root', ['HEAD:refs/heads/main']), 'POLICY_DENY', 'gate/object-size');
      const entry = w.auditEntries().at(-1);
      const denial = entry?.denials.find((d) => d.rule === 'gate/object-size');
      expect(denial?.reason).toBe(`1 new blob above the limit of 1048576 bytes: weights.dat (1048577 bytes, blob ${blob})`);
    });

    test('exactly at the limit is accepted', () => {
      w.git(root, ['reset', '-q', '--hard', 'HEAD~1']);
      writeFileSync(path.join(root, 'edge.dat'), randomBytes(1048576));
      w.git(root, ['add', 'edge.dat']);
      w.git(root, ['commit', '-q', '-m', 'exactly 1 MiB']);
      const r = w.push(root, 'user:root', ['HEAD:refs/heads/main']);
      expect(r.stderr).not.toContain('DENIED');
      expect(r.status).toBe(0);
    });
  });
}
