/**
 * Loose objects read in process (src/git/loose.ts) against what stock git
 * prints for the same objects, on SHA-1 and SHA-256: every object of a
 * repository read the same; packed objects, objects whose bytes are not what
 * their name says and a quoted alternate are left to cat-file; a push's
 * quarantine layout (object directory plus alternates) is searched as git
 * searches it.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, linkSync, mkdirSync, mkdtempSync, renameSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { deflateSync } from 'node:zlib';
import { expectOk } from '../../src/core/result';
import { openRepo } from '../../src/git';
import { LOOSE_GIVE_UP } from '../../src/git/cat-file';
import { LooseCache, LooseObjects, MAX_LOOSE_BYTES, objectDirectories } from '../../src/git/loose';
import { FORMATS, cleanGitEnv, git, gitDirOf, gitText, initRepo, writeCommit } from '../helpers/git';

/** git's own answer, as bytes (the helper's git() decodes text). */
const readFileCopy = (file: string): Buffer => readFileSync(file);

const catFile = (dir: string, id: string): { type: string; data: Buffer } => {
  const type = gitText(dir, ['cat-file', '-t', id]);
  return { type, data: spawnSync('git', ['cat-file', type, id], { cwd: dir, env: cleanGitEnv() }).stdout };
};

describe.each(FORMATS)('loose objects (%s)', (format) => {
  let dir = '';
  let objects = '';
  let ids: string[] = [];
  const loose = () => new LooseObjects(objectDirectories({ GIT_DIR: gitDirOf(dir) }, dir) ?? [], format);

  beforeAll(() => {
    dir = initRepo({ format });
    const root = writeCommit(dir, { message: 'root\n', files: { 'a.txt': 'alpha\n', 'bin': '\u0000\u00ff bytes' }, ref: 'refs/heads/main' });
    writeCommit(dir, { message: 'two\n', files: { 'a.txt': 'alpha 2\n' }, parents: [root], ref: 'refs/heads/main' });
    objects = path.join(gitDirOf(dir), 'objects');
    ids = gitText(dir, ['rev-list', '--objects', '--all']).split('\n').filter((l) => l !== '').map((l) => l.split(' ')[0] as string);
  });

  it('reads every object as git does, contents and type', () => {
    expect(ids.length).toBeGreaterThanOrEqual(6);
    const reader = loose();
    for (const id of ids) {
      const o = reader.read(id);
      const want = catFile(dir, id);
      expect(o?.type).toBe(want.type);
      expect(Buffer.from(o?.data ?? []).equals(Buffer.from(want.data))).toBe(true);
      expect(o?.size).toBe(want.data.length);
    }
  });

  it('keeps what it read: a second read of an id touches no file (one push reads a commit up to four times)', () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'gatos-loose-kept-'));
    try {
      const id = ids[0] as string;
      mkdirSync(path.join(work, id.slice(0, 2)));
      copyFileSync(path.join(objects, id.slice(0, 2), id.slice(2)), path.join(work, id.slice(0, 2), id.slice(2)));
      const reader = new LooseObjects([work], format);
      const first = reader.read(id);
      rmSync(path.join(work, id.slice(0, 2)), { recursive: true });
      expect(reader.read(id)).toBe(first);
      expect(first?.type).toBe(catFile(dir, id).type);
      // A reader of its own has kept nothing: the file is gone.
      expect(new LooseObjects([work], format).read(id)).toBeUndefined();
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('a cache shared across readers (the daemon\'s pushes) answers only for the very file it was read from', () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'gatos-loose-shared-'));
    try {
      const store = path.join(work, 'objects');
      const quarantine = path.join(work, 'incoming');
      const at = (d: string, id: string) => {
        const p = path.join(d, id.slice(0, 2), id.slice(2));
        mkdirSync(path.dirname(p), { recursive: true });
        return p;
      };
      const shared = new LooseCache();
      const push = () => new LooseObjects([quarantine, store], format, shared);
      const [a, b] = ids as [string, string];
      // Read from a push's quarantine, then moved into the store by a rename (as git does): the next push finds it kept.
      copyFileSync(path.join(objects, a.slice(0, 2), a.slice(2)), at(quarantine, a));
      const first = push().read(a);
      expect(first?.type).toBe(catFile(dir, a).type);
      renameSync(at(quarantine, a), at(store, a));
      expect(push().read(a)).toBe(first);
      expect(shared.size).toBe(1);
      // Removed (pruned, or packed): nothing is answered from the cache.
      rmSync(at(store, a));
      expect(push().read(a)).toBeUndefined();
      // Back as another file (another inode), even with the same bytes: read again, not answered from the cache.
      copyFileSync(path.join(objects, a.slice(0, 2), a.slice(2)), at(store, a));
      const again = push().read(a);
      expect(again).not.toBe(first);
      expect(Buffer.from(again?.data ?? []).equals(catFile(dir, a).data)).toBe(true);
      // The same inode rewritten in place with another object's bytes: its size or time changed, it is read and refused.
      writeFileSync(at(store, a), readFileCopy(path.join(objects, b.slice(0, 2), b.slice(2))));
      expect(push().read(a)).toBeUndefined();
      // A hard link (git's other way out of the quarantine) is the same file.
      rmSync(at(store, a));
      copyFileSync(path.join(objects, a.slice(0, 2), a.slice(2)), at(quarantine, a));
      const linked = push().read(a);
      linkSync(at(quarantine, a), at(store, a));
      rmSync(at(quarantine, a));
      expect(push().read(a)).toBe(linked);
      // Same inode and size, its time moved (a rewrite of the same length): read again.
      utimesSync(at(store, a), new Date(1e12), new Date(1e12));
      const touched = push().read(a);
      expect(touched).not.toBe(linked);
      expect(touched?.id).toBe(a);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('a shared cache keeps the same object loose in two repositories apart (one entry per file)', () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'gatos-loose-two-'));
    try {
      const id = ids[0] as string;
      const stores = ['one', 'two'].map((n) => {
        const d = path.join(work, n);
        mkdirSync(path.join(d, id.slice(0, 2)), { recursive: true });
        copyFileSync(path.join(objects, id.slice(0, 2), id.slice(2)), path.join(d, id.slice(0, 2), id.slice(2)));
        return d;
      });
      const shared = new LooseCache();
      const [one, two] = stores.map((d) => new LooseObjects([d], format, shared).read(id));
      expect(new LooseObjects([stores[0] as string], format, shared).read(id)).toBe(one);
      expect(new LooseObjects([stores[1] as string], format, shared).read(id)).toBe(two);
      expect(shared.size).toBe(2);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('a shared cache is bounded in bytes, the least recently used going first', () => {
    const work = mkdtempSync(path.join(os.tmpdir(), 'gatos-loose-bound-'));
    try {
      const blobs = [0, 1, 2].map((i) => {
        const raw = Buffer.concat([Buffer.from(`blob 100\0`), Buffer.alloc(100, 97 + i)]);
        const id = createHash(format).update(raw).digest('hex');
        mkdirSync(path.join(work, id.slice(0, 2)), { recursive: true });
        writeFileSync(path.join(work, id.slice(0, 2), id.slice(2)), deflateSync(raw));
        return id;
      });
      const shared = new LooseCache(250);
      const read = (id: string) => new LooseObjects([work], format, shared).read(id);
      const [x, y, z] = blobs as [string, string, string];
      const kx = read(x);
      read(y);
      expect(read(x)).toBe(kx);
      // Room for two: z pushes out y, the least recently used; x stays.
      read(z);
      expect(shared.size).toBe(2);
      expect(read(x)).toBe(kx);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('reads <commit>:<file> and <tree>:<file> from loose objects as git resolves them', async () => {
    const repo = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv() }));
    try {
      const head = gitText(dir, ['rev-parse', 'refs/heads/main']);
      const tree = gitText(dir, ['rev-parse', 'refs/heads/main^{tree}']);
      const root = gitText(dir, ['rev-parse', 'refs/heads/main~1']);
      for (const name of [`${head}:a.txt`, `${tree}:a.txt`, `${root}:bin`]) {
        const o = expectOk(await repo.readObject(name));
        expect(o.id).toBe(gitText(dir, ['rev-parse', name]));
        expect(Buffer.from(o.data).equals(catFile(dir, o.id).data)).toBe(true);
      }
      expect((await repo.readObject(`${head}:missing`)).ok).toBe(false);
    } finally {
      await repo.close();
    }
  });

  it('answers nothing for an object under another object\'s name, a truncated one, or a header that lies about the size', () => {
    const [a, b] = ids as [string, string];
    const file = (id: string) => path.join(objects, id.slice(0, 2), id.slice(2));
    const work = mkdtempSync(path.join(os.tmpdir(), 'gatos-loose-'));
    try {
      const at = (id: string) => {
        const p = path.join(work, id.slice(0, 2), id.slice(2));
        mkdirSync(path.dirname(p), { recursive: true });
        return p;
      };
      const reader = new LooseObjects([work], format);
      copyFileSync(file(a), at(b));
      expect(reader.read(b)).toBeUndefined();
      rmSync(at(b));
      const raw = Buffer.from('blob 5\0abc');
      const lying = createHash(format).update(raw).digest('hex');
      writeFileSync(at(lying), deflateSync(raw));
      expect(reader.read(lying)).toBeUndefined();
      const good = Buffer.from('blob 3\0abc');
      const goodId = createHash(format).update(good).digest('hex');
      writeFileSync(at(goodId), deflateSync(good).subarray(0, 6));
      expect(reader.read(goodId)).toBeUndefined();
      // The same object written whole is read: the checks above are what refused it.
      writeFileSync(at(goodId), deflateSync(good));
      expect(Buffer.from(reader.read(goodId)?.data ?? []).toString()).toBe('abc');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('searches a quarantine as git does: its own directory, then the alternates it was given; a quoted list is left to git', () => {
    const quarantine = mkdtempSync(path.join(os.tmpdir(), 'gatos-quarantine-'));
    try {
      const dirs = objectDirectories({ GIT_DIR: gitDirOf(dir), GIT_OBJECT_DIRECTORY: quarantine, GIT_ALTERNATE_OBJECT_DIRECTORIES: objects }, '/');
      expect(dirs).toEqual([quarantine, objects]);
      const reader = new LooseObjects(dirs ?? [], format);
      expect(reader.read(ids[0] as string)?.id).toBe(ids[0]);
      expect(objectDirectories({ GIT_DIR: gitDirOf(dir), GIT_ALTERNATE_OBJECT_DIRECTORIES: `"${objects}"` }, '/')).toBeUndefined();
    } finally {
      rmSync(quarantine, { recursive: true, force: true });
    }
  });

  it('leaves an object larger than it reads to cat-file, which reads it', async () => {
    const big = randomBytes(MAX_LOOSE_BYTES + 4096);
    const id = gitText(dir, ['hash-object', '-w', '--stdin'], big);
    expect(loose().read(id)).toBeUndefined();
    const repo = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv() }));
    try {
      expect(Buffer.from(expectOk(await repo.readBlob(id))).equals(big)).toBe(true);
    } finally {
      await repo.close();
    }
  });

  it('leaves packed objects to cat-file, which still reads them', async () => {
    git(dir, ['repack', '-a', '-d', '-q']);
    git(dir, ['prune-packed']);
    expect(loose().read(ids[0] as string)).toBeUndefined();
    const repo = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv() }));
    try {
      for (const id of ids) expect(expectOk(await repo.readObject(id)).type).toBe(catFile(dir, id).type);
    } finally {
      await repo.close();
    }
  });

  it(`stops looking for loose objects after ${LOOSE_GIVE_UP} misses in a row, and cat-file still reads a loose one written later`, async () => {
    const repo = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv() }));
    try {
      const packed = ids[0] as string;
      const reads = await Promise.all(Array.from({ length: LOOSE_GIVE_UP + 8 }, () => repo.readObject(packed)));
      const want = catFile(dir, packed);
      for (const r of reads) expect(Buffer.from(expectOk(r).data).equals(want.data)).toBe(true);
      const later = gitText(dir, ['hash-object', '-w', '--stdin'], 'written after the reader gave up\n');
      expect(loose().read(later)).toBeDefined();
      expect(Buffer.from(expectOk(await repo.readBlob(later))).toString()).toBe('written after the reader gave up\n');
    } finally {
      await repo.close();
    }
  });
});
