/**
 * The hooks' record of the verified active bundle ($GIT_DIR/gatos/cache/
 * bundle-<commit>.verified) only ever saves time: with no record, a damaged
 * one, one naming another commit or one claiming another bundle-id, real
 * pushes are accepted and refused exactly as with a sound record, and the record left
 * behind holds the bundle-id computed from the bundle's files.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { bundleId } from '../../src/bundle';
import { readVerified, verifiedCacheFile } from '../../src/bundle/verified-cache';
import { expectOk } from '../../src/core/result';
import { VERSION } from '../../src/core/version';
import { openRepo } from '../../src/git';
import { readTreeFiles } from '../../src/workspace/read-tree';
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

describe('the hooks\' record of the verified active bundle', () => {
  let w: GateWorld;
  let alice: string;
  let bob: string;
  let active = '';
  let expectedId = '';
  const file = () => verifiedCacheFile(w.gitDir, active);
  /** Every decision is still made: an accepted push and a refused one (bob has no grant). */
  const decisionsHold = () => {
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

  it('is written by a push and holds the bundle-id of the active bundle\'s files', () => {
    rmSync(file(), { force: true });
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
    decisionsHold();
  });

  it('is ignored and rewritten when damaged', () => {
    const b = readFileSync(file());
    b.writeUInt8((b.readUInt8(b.length - 3) ^ 1), b.length - 3);
    writeFileSync(file(), b);
    expect(readVerified(w.gitDir, active)).toBeUndefined();
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
  });

  it('is ignored when it claims another bundle-id, and rewritten', () => {
    writeFileSync(file(), record(active, 'f'.repeat(64)));
    expect(readVerified(w.gitDir, active)).toBe('f'.repeat(64));
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
  });

  it('is ignored in its v1 form, which vouched for the bundle-id alone (not the rebuild from sources), and rewritten', () => {
    const body = Buffer.from(`commit ${active}\nbundle-id ${expectedId}\n`);
    writeFileSync(file(), Buffer.concat([Buffer.from('gatos-bundle-verified-v1\n'), createHash('sha256').update(body).digest(), body]));
    expect(readVerified(w.gitDir, active)).toBeUndefined();
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
  });

  it('is ignored when another release wrote it (its compilers may emit other bytes), and rewritten', () => {
    writeFileSync(file(), record(active, expectedId, '0.0.0-other'));
    expect(readVerified(w.gitDir, active)).toBeUndefined();
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
  });

  it('is never used for another commit (a new active bundle verifies in full)', () => {
    const other = 'a'.repeat(active.length);
    writeFileSync(verifiedCacheFile(w.gitDir, other), readFileSync(file()));
    expect(readVerified(w.gitDir, other)).toBeUndefined();
    writeFileSync(file(), record(other, expectedId));
    expect(readVerified(w.gitDir, active)).toBeUndefined();
    decisionsHold();
    expect(readFileSync(file())).toEqual(record(active, expectedId));
  });
});
