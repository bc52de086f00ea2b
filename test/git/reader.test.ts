/**
 * Reading objects through the one long-lived cat-file process, checked
 * against what stock git prints for the same objects, on SHA-1 and SHA-256.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expectOk } from '../../src/core/result';
import { ObjectReader } from '../../src/git/cat-file';
import { gitEnv } from '../../src/git/env';
import { openRepo, type GitRepo } from '../../src/git';
import { FORMATS, cleanGitEnv, git, gitDirOf, gitText, initRepo, writeCommit } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';
import { bundleFixture } from './bundle';

describe.each(FORMATS)('reading objects from a %s repository', (format) => {
  const hexLen = format === 'sha1' ? 40 : 64;
  let dir = '';
  let repo: GitRepo;
  let root = '';
  let merge = '';

  beforeAll(async () => {
    dir = initRepo({ format });
    root = writeCommit(dir, { message: 'root\n', files: { 'a.txt': 'alpha\n', 'b.txt': 'beta\n' }, ref: 'refs/heads/main' });
    const side = writeCommit(dir, { message: 'side\n', files: { 'c.txt': 'gamma\n' }, parents: [root], time: 1700000100 });
    merge = writeCommit(dir, { message: 'merge: two parents\n\nWith a body.\n', files: { 'a.txt': 'alpha 2\n' }, parents: [root, side], time: 1700000200, ref: 'refs/heads/main' });
    repo = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv() }));
  });

  afterAll(() => repo.close());

  it('detects the object format and its zero id', () => {
    expect(repo.format).toBe(format);
    expect(repo.zeroId).toBe('0'.repeat(hexLen));
    expect(repo.gitDir).toBe(gitDirOf(dir));
    expect(repo.quarantined).toBe(false);
  });

  it('reads a commit with the fields git reports for it', async () => {
    const c = expectOk(await repo.readCommit(merge));
    const [tree, parents, an, ae, at, cn, ce, ct] = gitText(dir, ['log', '-1', '--format=%T%n%P%n%an%n%ae%n%at%n%cn%n%ce%n%ct', merge]).split('\n');
    expect(c.id).toBe(merge);
    expect(c.tree).toBe(tree);
    expect(c.parents.join(' ')).toBe(parents);
    expect(c.author).toEqual({ name: an, email: ae, seconds: Number(at), tz: '+0000' });
    expect(c.committer).toEqual({ name: cn, email: ce, seconds: Number(ct), tz: '+0000' });
    expect(c.message).toBe('merge: two parents\n\nWith a body.\n');
    expect(c.extraHeaders).toEqual([]);
    // Names git resolves work as well as ids.
    expect(expectOk(await repo.readCommit('refs/heads/main')).id).toBe(merge);
    expect(expectOk(await repo.readCommit(`${merge}^2^`)).id).toBe(root);
  });

  it('reads a tree as git ls-tree lists it', async () => {
    const entries = expectOk(await repo.readTree(`${root}^{tree}`));
    const listed = gitText(dir, ['ls-tree', root]).split('\n');
    expect(entries.map((e) => `${e.mode.padStart(6, '0')} ${e.type} ${e.id}\t${e.name}`)).toEqual(listed);
  });

  it('reads blobs byte for byte, binary and larger than a pipe chunk', async () => {
    const binary = Buffer.from([0, 10, 13, 255, 10, 0, 32, 10]);
    const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'x\n\0');
    const ids = [binary, big].map((b) => git(dir, ['hash-object', '-w', '--stdin'], { input: b }).stdout.trim());
    const [a, b] = await Promise.all(ids.map((id) => repo.readBlob(id)));
    expect(Buffer.from(expectOk(a!))).toEqual(binary);
    expect(Buffer.from(expectOk(b!)).equals(big)).toBe(true);
    const info = expectOk(await repo.objectInfo(ids[1]!));
    expect(info).toEqual({ id: ids[1], type: 'blob', size: big.length });
  });

  it('answers many requests queued at once in order, with missing objects as error values among them', async () => {
    const ids = gitText(dir, ['rev-list', '--objects', '--all']).split('\n').map((l) => l.slice(0, hexLen));
    const absent = 'f'.repeat(hexLen);
    const names = Array.from({ length: 600 }, (_, i) => (i % 7 === 3 ? absent : ids[i % ids.length]!));
    const results = await Promise.all(names.map((n) => repo.readObject(n)));
    results.forEach((r, i) => {
      if (names[i] === absent) {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error).toMatchObject({ code: 'GIT_ERROR', kind: 'missing', message: expect.stringContaining(`no such object: ${absent}`) });
      } else {
        expect(r.ok && r.value.id).toBe(names[i]);
        expect(r.ok && r.value.type).toBe(gitText(dir, ['cat-file', '-t', names[i]!]));
      }
    });
  });

  it('says what went wrong for a missing object, a wrong type and a name it cannot send', async () => {
    const missing = await repo.readCommit('refs/heads/nope');
    expect(missing).toMatchObject({ ok: false, error: { code: 'GIT_ERROR', kind: 'missing', command: 'git cat-file --batch-command --buffer' } });
    const blob = await repo.readCommit(`${root}:a.txt`);
    expect(blob).toMatchObject({ ok: false, error: { kind: 'malformed', message: expect.stringContaining('is a blob, not a commit') } });
    const twoLines = await repo.readObject(`${root}\ninfo ${root}`);
    expect(twoLines).toMatchObject({ ok: false, error: { code: 'GIT_ERROR' } });
    // The process is still in step afterwards.
    expect(expectOk(await repo.readCommit(root)).id).toBe(root);
  });

  it('starts again after close', async () => {
    await repo.close();
    await repo.close();
    expect(expectOk(await repo.readCommit(root)).id).toBe(root);
  });

  it('keeps extra headers and undecodable messages as they are', async () => {
    const tree = gitText(dir, ['rev-parse', `${root}^{tree}`]);
    const raw = Buffer.concat([
      Buffer.from(`tree ${tree}\nparent ${root}\nauthor A <a@x> 5 -0130\ncommitter C <c@x> 7 +0200\nencoding ISO-8859-1\nx-note first line\n second line\n\n`),
      Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]),
    ]);
    const id = git(dir, ['hash-object', '-t', 'commit', '-w', '--stdin'], { input: raw }).stdout.trim();
    const c = expectOk(await repo.readCommit(id));
    expect(c.author).toEqual({ name: 'A', email: 'a@x', seconds: 5, tz: '-0130' });
    expect(c.committer).toEqual({ name: 'C', email: 'c@x', seconds: 7, tz: '+0200' });
    expect(c.extraHeaders).toEqual([
      { key: 'encoding', value: 'ISO-8859-1' },
      { key: 'x-note', value: 'first line\nsecond line' },
    ]);
    expect(c.message).toBeUndefined();
    expect(Buffer.from(c.messageBytes)).toEqual(Buffer.from('caf\xe9\n', 'latin1'));
  });
});

describe('when git cannot serve the repository', () => {
  it('fails to open a directory that is not a repository, naming the command and what git said', async () => {
    const r = await openRepo(tmpDir(), { env: cleanGitEnv() });
    expect(r).toMatchObject({ ok: false, error: { code: 'GIT_ERROR', kind: 'failed', command: 'git rev-parse --show-object-format' } });
    if (!r.ok) expect(r.error.message).toMatch(/git rev-parse --show-object-format: exit status 128: fatal: not a git repository/);
  });

  it('fails the waiting reads when cat-file exits before answering', async () => {
    const reader = new ObjectReader({ cwd: tmpDir(), env: gitEnv(cleanGitEnv(), path.join(tmpDir(), 'absent.git')) }, 'sha1');
    const r = await Promise.all([reader.read('HEAD'), reader.info('HEAD')]);
    for (const one of r) {
      expect(one).toMatchObject({ ok: false, error: { code: 'GIT_ERROR', kind: 'failed', message: expect.stringMatching(/exited \(status 128\) before answering: fatal: not a git repository/) } });
    }
    await reader.close();
  });

  it('fails to start when git is not on PATH', async () => {
    const r = await openRepo(tmpDir(), { env: { PATH: tmpDir() } });
    expect(r).toMatchObject({ ok: false, error: { code: 'GIT_ERROR', kind: 'spawn' } });
  });
});

describe('an idle reader', () => {
  it('does not keep Node alive after the last answer', async () => {
    const dir = initRepo();
    const id = writeCommit(dir, { ref: 'refs/heads/main' });
    const script = await bundleFixture(path.join(__dirname, 'fixtures/read-and-forget.ts'), tmpDir());
    // The timeout is a safety net against a hang, not a measurement.
    const r = spawnSync(process.execPath, [script, gitDirOf(dir), id], { env: cleanGitEnv(), encoding: 'utf8', timeout: 30000 });
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^read commit \d+\n$/);
  });
});
