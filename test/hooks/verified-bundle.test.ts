/**
 * The hooks' records of the active bundle only ever save time.
 * - The record of the verified bundle ($GIT_DIR/gatos/cache/
 *   bundle-<commit>.verified): with no record, a damaged one, one naming
 *   another commit or one claiming another bundle-id, real pushes are
 *   accepted and refused exactly as with a sound record, and the record left
 *   behind holds the bundle-id computed from the bundle's files. It is read
 *   when the active bundle is loaded in full, so these pushes start without
 *   the record of the decoded bundle.
 * - The record of the decoded active bundle ($GIT_DIR/gatos/cache/active-bundle,
 *   decision 0046): written by a push after a full load, holding exactly what
 *   that load found, then what later pushes decide with (GATOS_TRACE says so);
 *   damaged, of another commit or of another release, it is not used and a
 *   full load rewrites it.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { bundleId } from '../../src/bundle';
import { readVerified, verifiedCacheFile } from '../../src/bundle/verified-cache';
import { expectOk } from '../../src/core/result';
import { VERSION } from '../../src/core/version';
import { openRepo } from '../../src/git';
import { readTreeFiles } from '../../src/workspace/read-tree';
import { VerifyMemo } from '../../src/events/memo';
import { damagedHookCaches } from '../../src/ops/hook-caches';
import { activeGateBundle } from '../../src/push/active-bundle';
import { bundleRecordFile, decodeBundleRecord, readBundleRecord } from '../../src/push/bundle-record';
import { seal, unseal } from '../../src/canon/sealed';
import { expectRefused } from '../helpers/gate-scenarios';
import { GateWorld } from '../helpers/gate-world';

jest.setTimeout(120_000);

const JOURNAL = 'refs/gatos/journal/finance/user/alice';
const MAGIC = 'gatos-bundle-verified-v2\n';

/** The record's layout, written here by hand: magic, sha256 of the body, body. */
function record(commit: string, id: string, version = VERSION): Buffer {
  const body = Buffer.from(`commit ${commit}\nbundle-id ${id}\ngatos ${version}\n`);
  return Buffer.concat([Buffer.from(MAGIC), createHash('sha256').update(body).digest(), body]);
}

describe('the hooks\' records of the active bundle', () => {
  let w: GateWorld;
  let alice: string;
  let bob: string;
  let active = '';
  let expectedId = '';
  const file = () => verifiedCacheFile(w.gitDir, active);
  /** Every decision is still made: an accepted push and a refused one (bob has no grant). */
  const decisionsHold = () => {
    // Without the decoded bundle's record, the push loads the active bundle in full (where the verified record is read).
    rmSync(bundleRecordFile(w.gitDir), { force: true });
    w.addEvent(alice, 'user:alice', 'finance');
    const r = w.git(alice, ['push', 'origin', JOURNAL], w.transport.env('user:alice'));
    expect(r.stderr).not.toMatch(/refused|rejected/);
    expect(r.status).toBe(0);
    w.addEvent(bob, 'user:bob', 'finance');
    expectRefused(w, () => w.push(bob, 'user:bob', ['refs/gatos/journal/finance/user/bob']), 'POLICY_DENY');
  };

  beforeAll(async () => {
    w = new GateWorld({ format: 'sha1' }).setup();
    alice = w.client('user:alice');
    bob = w.client('user:bob');
    const repo = expectOk(await openRepo(w.gitDir, { env: w.env() }));
    try {
      active = expectOk(await repo.readRef('refs/gatos/policies/active')) ?? '';
      const files = expectOk(await readTreeFiles(repo, expectOk(await repo.readCommit(active)).tree));
      expectedId = expectOk(bundleId(files));
    } finally {
      await repo.close();
    }
  });

  it('of the verified bundle is written by a push and holds the bundle-id of the active bundle\'s files', () => {
    rmSync(file(), { force: true });
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
    decisionsHold();
  });

  it('of the verified bundle is ignored and rewritten when damaged', () => {
    const b = readFileSync(file());
    b.writeUInt8((b.readUInt8(b.length - 3) ^ 1), b.length - 3);
    writeFileSync(file(), b);
    expect(readVerified(w.gitDir, active)).toBeUndefined();
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
  });

  it('of the verified bundle is ignored when it claims another bundle-id, and rewritten', () => {
    writeFileSync(file(), record(active, 'f'.repeat(64)));
    expect(readVerified(w.gitDir, active)).toBe('f'.repeat(64));
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
  });

  it('of the verified bundle is ignored in its v1 form, which vouched for the bundle-id alone (not the rebuild from sources), and rewritten', () => {
    const body = Buffer.from(`commit ${active}\nbundle-id ${expectedId}\n`);
    writeFileSync(file(), Buffer.concat([Buffer.from('gatos-bundle-verified-v1\n'), createHash('sha256').update(body).digest(), body]));
    expect(readVerified(w.gitDir, active)).toBeUndefined();
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
  });

  it('of the verified bundle is ignored when another release wrote it (its compilers may emit other bytes), and rewritten', () => {
    writeFileSync(file(), record(active, expectedId, '0.0.0-other'));
    expect(readVerified(w.gitDir, active)).toBeUndefined();
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
  });

  it('of the verified bundle is never used for another commit (a new active bundle verifies in full)', () => {
    const other = 'a'.repeat(active.length);
    writeFileSync(verifiedCacheFile(w.gitDir, other), readFileSync(file()));
    expect(readVerified(w.gitDir, other)).toBeUndefined();
    writeFileSync(file(), record(other, expectedId));
    expect(readVerified(w.gitDir, active)).toBeUndefined();
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
  });

  /** alice's push (accepted) with GATOS_TRACE: whether its active bundle came from the decoded record. */
  const acceptedFromRecord = (): boolean => {
    w.addEvent(alice, 'user:alice', 'finance');
    const r = w.git(alice, ['push', 'origin', JOURNAL], { ...w.transport.env('user:alice'), GATOS_TRACE: '1' });
    expect(r.stderr).not.toMatch(/refused|rejected/);
    expect(r.status).toBe(0);
    return /came from its record in gatos\/cache/.test(r.stderr);
  };
  /** The decoded record as the push left it: whole, of this release, for the active commit. */
  const recordWhole = () => expect(readBundleRecord(w.gitDir, active)?.loaded.id).toBe(expectedId);
  /** The record's bytes with its JSON part changed and sealed again (a whole record, of other content). */
  const edited = (edit: (head: Record<string, unknown>) => void): Buffer => {
    const magic = 'gatos-active-bundle-v1\n';
    const body = Buffer.from(unseal(magic, readFileSync(bundleRecordFile(w.gitDir))) as Uint8Array);
    const size = body.readUInt32BE(0);
    const head = JSON.parse(body.subarray(4, 4 + size).toString('utf8')) as Record<string, unknown>;
    edit(head);
    const json = Buffer.from(JSON.stringify(head));
    const len = Buffer.alloc(4);
    len.writeUInt32BE(json.length);
    return Buffer.from(seal(magic, Buffer.concat([len, json, body.subarray(4 + size)])));
  };

  it('of the decoded bundle is written by a full load, holds what it found, and then decides pushes', async () => {
    rmSync(bundleRecordFile(w.gitDir), { force: true });
    expect(acceptedFromRecord()).toBe(false);
    recordWhole();
    const repo = expectOk(await openRepo(w.gitDir, { env: w.env() }));
    try {
      const full = expectOk(await activeGateBundle(repo, new VerifyMemo()));
      const kept = expectOk(await activeGateBundle(repo, new VerifyMemo(), { record: true }));
      for (const b of [full, kept]) expect(b.loaded.id).toBe(expectedId);
      expect(kept.loaded.manifest).toEqual(full.loaded.manifest);
      expect([...kept.loaded.files.keys()]).toEqual([...full.loaded.files.keys()]);
      for (const [p, bytes] of full.loaded.files) expect(Buffer.from(kept.loaded.files.get(p) as Uint8Array)).toEqual(Buffer.from(bytes));
      expect([kept.trust.graph.roots, [...kept.trust.graph.actors], [...kept.trust.graph.groups], kept.trust.grants, kept.trust.revocations]).toEqual([full.trust.graph.roots, [...full.trust.graph.actors], [...full.trust.graph.groups], full.trust.grants, full.trust.revocations]);
      expect(kept.policy.root).toBe(full.policy.root);
      expect(kept.policy.rules.map((r) => r.rule)).toEqual(full.policy.rules.map((r) => r.rule));
      expect(kept.folds).toEqual(full.folds);
    } finally {
      await repo.close();
    }
    // From the record: alice accepted, bob (no grant) refused.
    expect(acceptedFromRecord()).toBe(true);
    w.addEvent(bob, 'user:bob', 'finance');
    const bobRefs = ['refs/gatos/journal/finance/user/bob'];
    expectRefused(w, () => w.git(bob, ['push', 'origin', ...bobRefs], { ...w.transport.env('user:bob'), GATOS_TRACE: '1' }), 'POLICY_DENY');
  });

  it('of the decoded bundle is not used when damaged (doctor names it), and rewritten', () => {
    const file = bundleRecordFile(w.gitDir);
    const b = readFileSync(file);
    b.writeUInt8(b.readUInt8(b.length - 3) ^ 1, b.length - 3);
    writeFileSync(file, b);
    expect(decodeBundleRecord(b)).toBeUndefined();
    expect(damagedHookCaches(w.gitDir)).toEqual([file]);
    expect(acceptedFromRecord()).toBe(false);
    recordWhole();
    expect(damagedHookCaches(w.gitDir)).toEqual([]);
  });

  it('of the decoded bundle is not used for another commit or by another release, and rewritten', () => {
    const file = bundleRecordFile(w.gitDir);
    writeFileSync(file, edited((h) => (h.commit = 'a'.repeat(active.length))));
    expect(decodeBundleRecord(readFileSync(file))).toBeDefined();
    expect(readBundleRecord(w.gitDir, active)).toBeUndefined();
    expect(acceptedFromRecord()).toBe(false);
    recordWhole();
    writeFileSync(file, edited((h) => (h.gatos = '0.0.0-other')));
    expect(readBundleRecord(w.gitDir, active)).toBeUndefined();
    expect(acceptedFromRecord()).toBe(false);
    recordWhole();
    expect(acceptedFromRecord()).toBe(true);
  });
});
