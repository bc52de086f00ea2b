/**
 * Walks and ref reads, each compared with stock git run on the same
 * repository with the same question, on SHA-1 and SHA-256.
 */
import { expectOk } from '../../src/core/result';
import { collect, openRepo, type GitRepo } from '../../src/git';
import { FORMATS, cleanGitEnv, git, gitDirOf, gitText, importLinearHistory, initRepo, writeCommit } from '../helpers/git';

const lines = (text: string) => (text === '' ? [] : text.split('\n'));

describe.each(FORMATS)('walking a %s repository', (format) => {
  let dir = '';
  let repo: GitRepo;
  let zero = '';
  const c: Record<string, string> = {};

  // a <- b <- c (main);  b <- d (topic);  merge m of c and d (main);  h only on a hidden ref.
  beforeAll(async () => {
    dir = initRepo({ format });
    zero = '0'.repeat(format === 'sha1' ? 40 : 64);
    c.a = writeCommit(dir, { message: 'a\n', files: { f: 'a' }, time: 1700000001 });
    c.b = writeCommit(dir, { message: 'b\n', files: { f: 'b' }, parents: [c.a], time: 1700000002 });
    c.c = writeCommit(dir, { message: 'c\n', files: { f: 'c' }, parents: [c.b], time: 1700000003 });
    c.d = writeCommit(dir, { message: 'd\n', files: { f: 'd' }, parents: [c.b], time: 1700000004, ref: 'refs/heads/topic' });
    c.m = writeCommit(dir, { message: 'm\n', files: { f: 'm' }, parents: [c.c, c.d], time: 1700000005, ref: 'refs/heads/main' });
    c.h = writeCommit(dir, { message: 'h\n', files: { f: 'h' }, parents: [c.m], time: 1700000006, ref: 'refs/hidden/h' });
    c.x = writeCommit(dir, { message: 'x\n', files: { f: 'x' }, parents: [c.h], time: 1700000007 });
    git(dir, ['config', 'receive.hideRefs', 'refs/hidden']);
    git(dir, ['tag', '-a', '-m', 'v1\n', 'v1', c.c]);
    repo = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv() }));
  });

  afterAll(() => repo.close());

  it('walks like git rev-list in each order', async () => {
    for (const [order, flags] of [['date', []], ['topo', ['--topo-order']], ['reverse-topo', ['--topo-order', '--reverse']]] as const) {
      const ours = expectOk(await collect(repo.walk({ include: [c.m!], exclude: [c.a!], order })));
      expect(ours).toEqual(lines(gitText(dir, ['rev-list', ...flags, c.m!, `^${c.a}`])));
    }
  });

  it('finds the commits a push brings in, counting hidden refs as not there', async () => {
    // x is on no ref; h only on a hidden one: both are new, as receive-pack sees them.
    const fresh = expectOk(await repo.newCommits([c.x!, zero]));
    expect(fresh).toEqual(lines(gitText(dir, ['rev-list', c.x!, '--not', '--exclude-hidden=receive', '--all'])));
    expect(fresh).toEqual([c.x, c.h]);
    expect(expectOk(await repo.newCommits([c.m!]))).toEqual([]);
    expect(expectOk(await repo.newCommits([]))).toEqual([]);
  });

  it('lists a range old..new, a create as everything reachable, a delete as nothing', async () => {
    expect(expectOk(await repo.range(c.b!, c.m!))).toEqual(lines(gitText(dir, ['rev-list', c.m!, `^${c.b}`])));
    expect(expectOk(await repo.range(zero, c.c!))).toEqual([c.c, c.b, c.a]);
    expect(expectOk(await repo.range(c.c!, zero))).toEqual([]);
  });

  it('reads every commit of a walk in walk order, whatever the read-ahead', async () => {
    const expected = lines(gitText(dir, ['rev-list', '--topo-order', '--reverse', c.x!]));
    for (const readAhead of [1, 3, 512]) {
      const narrow = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv(), readAhead }));
      const commits = expectOk(await collect(narrow.walkCommits({ include: [c.x!], order: 'reverse-topo' })));
      expect(commits.map((k) => k.id)).toEqual(expected);
      expect(commits.map((k) => k.message)).toEqual(['a\n', 'b\n', 'c\n', 'd\n', 'm\n', 'h\n', 'x\n']);
      expect(commits.find((k) => k.id === c.m)?.parents).toEqual([c.c, c.d]);
      await narrow.close();
    }
  });

  it('stops git when the caller stops early', async () => {
    let seen = 0;
    for await (const k of repo.walkCommits({ include: [c.x!] })) {
      expect(k.ok).toBe(true);
      if (++seen === 2) break;
    }
    expect(seen).toBe(2);
    expect(expectOk(await repo.readCommit(c.a!)).id).toBe(c.a);
  });

  it('reports a bad revision as a final error item and refuses option-like names', async () => {
    const absent = 'e'.repeat(zero.length);
    const items = [];
    for await (const item of repo.walk({ include: [absent] })) items.push(item);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ ok: false, error: { code: 'GIT_ERROR', kind: 'failed', command: 'git rev-list --stdin' } });
    expect(items[0]!.ok || items[0]!.error.stderr).toMatch(/bad object|bad revision/);
    for (const name of ['--all', '^x', 'a b', '']) {
      const r = await collect(repo.walk({ include: [name] }));
      expect(r).toMatchObject({ ok: false, error: { code: 'GIT_ERROR', message: expect.stringContaining('not a plain object name') } });
    }
  });

  it('answers the fast-forward question as merge-base does', async () => {
    expect(expectOk(await repo.isAncestor(c.a!, c.m!))).toBe(true);
    expect(expectOk(await repo.isAncestor(c.d!, c.c!))).toBe(false);
    expect(expectOk(await repo.isAncestor(c.m!, c.m!))).toBe(true);
    const r = await repo.isAncestor('e'.repeat(zero.length), c.m!);
    expect(r).toMatchObject({ ok: false, error: { code: 'GIT_ERROR', kind: 'failed', command: expect.stringContaining('git merge-base --is-ancestor') } });
  });

  it('lists refs like for-each-ref and reads one ref exactly', async () => {
    const refs = expectOk(await repo.forEachRef());
    expect(refs.map((r) => `${r.ref} ${r.id} ${r.type}`)).toEqual(lines(gitText(dir, ['for-each-ref', '--format=%(refname) %(objectname) %(objecttype)'])));
    expect(expectOk(await repo.forEachRef(['refs/heads'])).map((r) => r.ref)).toEqual(['refs/heads/main', 'refs/heads/topic']);
    expect(expectOk(await repo.readRef('refs/heads/main'))).toBe(c.m);
    expect(expectOk(await repo.readRef('refs/tags/v1'))).toBe(gitText(dir, ['rev-parse', 'refs/tags/v1']));
    expect(expectOk(await repo.readRef('refs/heads/absent'))).toBeUndefined();
    // A prefix of existing refs is not itself a ref.
    expect(expectOk(await repo.readRef('refs/heads'))).toBeUndefined();
    expect(await repo.readRef('main')).toMatchObject({ ok: false, error: { code: 'GIT_ERROR' } });
  });
});

describe('a long history', () => {
  it('is read whole, in rev-list order', async () => {
    const dir = initRepo({ format: 'sha256' });
    importLinearHistory(dir, 3000);
    const repo = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv() }));
    const commits = expectOk(await collect(repo.walkCommits({ include: ['refs/heads/main'] })));
    expect(commits.map((k) => k.id)).toEqual(lines(gitText(dir, ['rev-list', 'refs/heads/main'])));
    expect(commits[0]?.message).toBe('commit 3000\n\nBody of commit 3000.\n');
    expect(commits[2999]?.parents).toEqual([]);
    await repo.close();
  });
});
