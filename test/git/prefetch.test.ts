/**
 * A push's quarantine read before its decision (src/push/prefetch.ts,
 * decision 0053): the decision's reader then finds each object, and its
 * parse, kept for the very file it came from; another file under the same
 * id is read again; a large quarantine is left to the decision.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { expectOk } from '../../src/core/result';
import { openRepo } from '../../src/git';
import { LooseCache, LooseObjects } from '../../src/git/loose';
import { PREFETCH_MAX_OBJECTS, prefetchQuarantine, readQuarantine } from '../../src/push/prefetch';
import { quarantinedObjects } from '../../src/push/push-objects';
import { generateKeyPair, sign } from '../../src/canon/ed25519';
import { signatureHolds } from '../../src/events/verify';
import { keepDerived } from '../../src/git/parsed';
import { gitDirOf, initRepo, writeCommit } from '../helpers/git';

/** The loose objects of `objects` into `quarantine`, in their fan-out folders, as receive-pack's unpack leaves them. */
function copyLooseObjects(objects: string, quarantine: string): void {
  for (const d of readdirSync(objects).filter((n) => /^[0-9a-f]{2}$/.test(n))) {
    mkdirSync(path.join(quarantine, d));
    for (const f of readdirSync(path.join(objects, d))) copyFileSync(path.join(objects, d, f), path.join(quarantine, d, f));
  }
}

describe('prefetching a quarantine', () => {
  // Decision 0063's review: a decision made ahead counts the push's objects from the ids the read lists, and the
  // request, which counts them from the quarantine (pack indexes included), refuses when it cannot. The read hands
  // over no ids where that count is not the listing's, so no decision made ahead stands in for such a request.
  it('hands a decision made ahead the ids it listed only where the request counts the same objects', () => {
    const dir = initRepo({ format: 'sha1' });
    writeCommit(dir, { message: 'one\n', files: { 'event.cbor': 'x' }, ref: 'refs/heads/main' });
    const objects = path.join(gitDirOf(dir), 'objects');
    const quarantine = mkdtempSync(path.join(os.tmpdir(), 'gatos-prefetch-'));
    try {
      copyLooseObjects(objects, quarantine);
      const env = { GIT_QUARANTINE_PATH: quarantine };
      // No pack folder (git always makes one): the request cannot count, so nothing is handed over.
      expect(quarantinedObjects(env)).toBeUndefined();
      expect(readQuarantine(quarantine, 'sha1', new LooseCache())).toEqual({ ids: [], read: 3 });
      // As git leaves it for a small push: the same three objects both ways.
      mkdirSync(path.join(quarantine, 'pack'));
      const found = readQuarantine(quarantine, 'sha1', new LooseCache());
      expect(found.read).toBe(3);
      expect(found.ids).toHaveLength(3);
      expect(quarantinedObjects(env)).toBe(3);
      // A pack kept beside them (its index too short to count): the request refuses, nothing is handed over.
      writeFileSync(path.join(quarantine, 'pack', 'pack-x.idx'), 'short');
      expect(quarantinedObjects(env)).toBeUndefined();
      expect(readQuarantine(quarantine, 'sha1', new LooseCache()).ids).toEqual([]);
    } finally {
      rmSync(quarantine, { recursive: true, force: true });
    }
  });

  it('keeps each object and its parse for the decision, only while its file stays', async () => {
    const dir = initRepo({ format: 'sha1' });
    const id = writeCommit(dir, { message: 'one\n', files: { 'event.cbor': 'x' }, ref: 'refs/heads/main' });
    const objects = path.join(gitDirOf(dir), 'objects');
    const quarantine = mkdtempSync(path.join(os.tmpdir(), 'gatos-prefetch-'));
    try {
      copyLooseObjects(objects, quarantine);
      const cache = new LooseCache();
      expect(prefetchQuarantine(quarantine, 'sha1', cache)).toBe(3);
      const kept = new LooseObjects([quarantine], 'sha1', new LooseCache()).read(id);
      const decision = () => new LooseObjects([quarantine], 'sha1', cache).read(id);
      const first = decision();
      expect(first).toEqual(kept);
      expect(decision()).toBe(first);
      // The decision's commit parse is the one made before it (the same object, the same parse).
      const env = { GIT_DIR: gitDirOf(dir), GIT_OBJECT_DIRECTORY: quarantine, GIT_ALTERNATE_OBJECT_DIRECTORIES: objects, GIT_QUARANTINE_PATH: quarantine };
      const read = async () => {
        const repo = expectOk(await openRepo(gitDirOf(dir), { format: 'sha1', env, looseCache: cache }));
        try {
          return expectOk(await repo.readCommit(id));
        } finally {
          await repo.close();
        }
      };
      const parsed = await read();
      expect(await read()).toBe(parsed);
      // Another file under the id (a copy: another inode): read, checked and parsed again.
      const file = path.join(quarantine, id.slice(0, 2), id.slice(2));
      copyFileSync(file, `${file}.tmp`);
      rmSync(file);
      copyFileSync(`${file}.tmp`, file);
      rmSync(`${file}.tmp`);
      expect(decision()).not.toBe(first);
      expect(await read()).not.toBe(parsed);
      expect(await read()).toEqual(parsed);
      // A quarantine gone, or of a large push: nothing is read.
      expect(prefetchQuarantine(path.join(quarantine, 'gone'), 'sha1', cache)).toBe(0);
      const many = path.join(quarantine, 'ff');
      mkdirSync(many);
      for (let i = 0; i <= PREFETCH_MAX_OBJECTS; i++) copyFileSync(file, path.join(many, i.toString(16).padStart(38, '0')));
      expect(prefetchQuarantine(quarantine, 'sha1', new LooseCache())).toBe(0);
    } finally {
      rmSync(quarantine, { recursive: true, force: true });
    }
  });

  it('a kept signature answer is verify\'s, for that key and that signature only', () => {
    const data = new TextEncoder().encode('envelope bytes');
    keepDerived({ id: 'x', type: 'blob', size: data.length, data });
    const a = generateKeyPair();
    const b = generateKeyPair();
    const sigA = sign(a.seed, data);
    expect(signatureHolds(a.publicKey, data, sigA)).toBe(true);
    expect(signatureHolds(a.publicKey, data, sigA)).toBe(true);
    expect(signatureHolds(b.publicKey, data, sigA)).toBe(false);
    expect(signatureHolds(a.publicKey, data, sign(b.seed, data))).toBe(false);
    // Other bytes, equal or not: verified on their own.
    expect(signatureHolds(a.publicKey, new TextEncoder().encode('envelope bytez'), sigA)).toBe(false);
    expect(signatureHolds(a.publicKey, new TextEncoder().encode('envelope bytes'), sigA)).toBe(true);
  });

  it('does not inflate an object too large to keep (a small file that inflates to megabytes)', () => {
    // A push's 64 loose objects of 16 MiB of zeros each (16 KB on disk) held the daemon 1.4 s a read, for nothing kept.
    const quarantine = mkdtempSync(path.join(os.tmpdir(), 'gatos-prefetch-'));
    try {
      const put = (body: Buffer): void => {
        const raw = Buffer.concat([Buffer.from(`blob ${body.length}\0`), body]);
        const id = createHash('sha1').update(raw).digest('hex');
        mkdirSync(path.join(quarantine, id.slice(0, 2)), { recursive: true });
        writeFileSync(path.join(quarantine, id.slice(0, 2), id.slice(2)), deflateSync(raw));
      };
      put(Buffer.alloc(1 << 20));
      put(Buffer.from('small\n'));
      // Only the small one is read; the decision reads the large one itself if it needs it.
      expect(prefetchQuarantine(quarantine, 'sha1', new LooseCache())).toBe(1);
    } finally {
      rmSync(quarantine, { recursive: true, force: true });
    }
  });
});
