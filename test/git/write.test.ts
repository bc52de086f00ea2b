/**
 * Writing objects and moving refs. Ids are checked against what stock git
 * computes for the same content; ref transactions against real git locking.
 */
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectOk, ok, type GateError, type Result } from '../../src/core/result';
import { backoffMs, openRepo, retryOnConflict, type GitError, type GitRepo, type Identity } from '../../src/git';
import { FORMATS, cleanGitEnv, git, gitDirOf, gitText, initRepo } from '../helpers/git';

const ALICE: Identity = { name: 'Alice Example', email: 'alice@example.test', seconds: 1700000000, tz: '+0100' };
const BOB: Identity = { name: 'Bob', email: 'bob@example.test', seconds: 12345, tz: '-0930' };

describe.each(FORMATS)('writing to a %s repository', (format) => {
  let dir = '';
  let repo: GitRepo;
  let zero = '';

  beforeAll(async () => {
    dir = initRepo({ format });
    zero = '0'.repeat(format === 'sha1' ? 40 : 64);
    repo = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv() }));
  });

  afterAll(() => repo.close());

  it('writes blobs under the id git computes for the same bytes', async () => {
    for (const content of ['', 'hello\n', 'no newline', Buffer.from([0, 1, 2, 255]).toString('latin1')]) {
      const id = expectOk(await repo.writeBlob(Buffer.from(content, 'latin1')));
      expect(id).toBe(git(dir, ['hash-object', '--stdin'], { input: Buffer.from(content, 'latin1') }).stdout.trim());
      expect(gitText(dir, ['cat-file', '-t', id])).toBe('blob');
    }
  });

  it('writes trees in git order whatever order the entries come in', async () => {
    const a = expectOk(await repo.writeBlob('a\n'));
    const b = expectOk(await repo.writeBlob('b\n'));
    const sub = expectOk(await repo.writeTree([{ mode: '100644', id: a, name: 'inner' }]));
    const entries = [
      { mode: '100755', id: b, name: 'z-run' },
      { mode: '40000', id: sub, name: 'dir' },
      { mode: '100644', id: a, name: 'dir.txt' },
      { mode: '120000', id: a, name: 'link' },
    ];
    const id = expectOk(await repo.writeTree(entries));
    expect(expectOk(await repo.writeTree([...entries].reverse()))).toBe(id);
    // Stock mktree from the same listing gives the same id.
    const listing = entries.map((e) => `${e.mode} ${e.mode === '40000' ? 'tree' : 'blob'} ${e.id}\t${e.name}`).join('\n') + '\n';
    expect(gitText(dir, ['mktree'], listing)).toBe(id);
    expect(expectOk(await repo.readTree(id)).map((e) => e.name)).toEqual(['dir.txt', 'dir', 'link', 'z-run']);
  });

  it('refuses tree entries git would misread, and objects that do not exist', async () => {
    const a = expectOk(await repo.writeBlob('a\n'));
    for (const [entry, why] of [
      [{ mode: '100644', id: a, name: 'a/b' }, 'is not allowed'],
      [{ mode: '100644', id: a, name: '..' }, 'is not allowed'],
      [{ mode: '100600', id: a, name: 'x' }, 'unknown mode'],
      [{ mode: '100644', id: 'abc', name: 'x' }, `is not a ${format} object id`],
    ] as const) {
      expect(await repo.writeTree([entry])).toMatchObject({ ok: false, error: { code: 'VALUE_INVALID', message: expect.stringContaining(why) } });
    }
    expect(await repo.writeTree([{ mode: '100644', id: a, name: 'x' }, { mode: '100644', id: a, name: 'x' }])).toMatchObject({ ok: false, error: { code: 'VALUE_INVALID' } });
    const absent = await repo.writeTree([{ mode: '100644', id: 'd'.repeat(zero.length), name: 'x' }]);
    expect(absent).toMatchObject({ ok: false, error: { code: 'GIT_ERROR', kind: 'failed', command: 'git mktree -z' } });
  });

  it('writes commits with the identity, date and message it is given, as stock commit-tree does', async () => {
    const tree = expectOk(await repo.writeTree([]));
    const first = expectOk(await repo.commitTree({ tree, parents: [], message: 'first\n', author: ALICE }));
    const message = 'second: ünïcödé\n\nTrailer-Key: value\n';
    const second = expectOk(await repo.commitTree({ tree, parents: [first], message, author: ALICE, committer: BOB }));
    const stock = git(dir, ['commit-tree', tree, '-p', first], {
      input: message,
      env: {
        GIT_AUTHOR_NAME: ALICE.name, GIT_AUTHOR_EMAIL: ALICE.email, GIT_AUTHOR_DATE: '@1700000000 +0100',
        GIT_COMMITTER_NAME: BOB.name, GIT_COMMITTER_EMAIL: BOB.email, GIT_COMMITTER_DATE: '@12345 -0930',
      },
    }).stdout.trim();
    expect(second).toBe(stock);
    const read = expectOk(await repo.readCommit(second));
    expect(read).toMatchObject({ tree, parents: [first], author: ALICE, committer: BOB, message });
    // A small timestamp stays a timestamp (git would read a bare "12345" as a calendar date).
    expect(gitText(dir, ['cat-file', 'commit', second])).toContain('committer Bob <bob@example.test> 12345 -0930');
    // No newline is added to a message that lacks one.
    const bare = expectOk(await repo.commitTree({ tree, parents: [], message: 'no newline', author: ALICE }));
    expect(expectOk(await repo.readCommit(bare)).message).toBe('no newline');
  });

  it('gives the same commit id in another repository of the same format (no clock, no machine identity)', async () => {
    const other = expectOk(await openRepo(gitDirOf(initRepo({ format })), { env: cleanGitEnv({ GIT_AUTHOR_NAME: 'Someone Else', GIT_COMMITTER_DATE: '@1 +0000' }) }));
    const make = async (r: GitRepo) => {
      const blob = expectOk(await r.writeBlob('entry\n'));
      const tree = expectOk(await r.writeTree([{ mode: '100644', id: blob, name: 'entry' }]));
      return expectOk(await r.commitTree({ tree, parents: [], message: 'same\n', author: ALICE }));
    };
    expect(await make(other)).toBe(await make(repo));
    await other.close();
  });

  it('refuses identities git would alter', async () => {
    const tree = expectOk(await repo.writeTree([]));
    for (const author of [
      { ...ALICE, name: 'Eve <eve@x>' },
      { ...ALICE, name: ' padded' },
      { ...ALICE, email: 'a\nb' },
      { ...ALICE, name: '' },
      { ...ALICE, seconds: -1 },
      { ...ALICE, seconds: 1.5 },
      { ...ALICE, tz: 'UTC' },
    ]) {
      expect(await repo.commitTree({ tree, parents: [], message: 'x\n', author })).toMatchObject({ ok: false, error: { code: 'VALUE_INVALID' } });
    }
  });
});

describe.each(FORMATS)('compare-and-swap ref updates in a %s repository', (format) => {
  let dir = '';
  let repo: GitRepo;
  let zero = '';
  let one = '';
  let two = '';

  beforeAll(async () => {
    dir = initRepo({ format, bare: true });
    zero = '0'.repeat(format === 'sha1' ? 40 : 64);
    repo = expectOk(await openRepo(dir, { env: cleanGitEnv() }));
    one = expectOk(await repo.writeBlob('one\n'));
    two = expectOk(await repo.writeBlob('two\n'));
  });

  afterAll(() => repo.close());

  const at = (ref: string) => git(dir, ['rev-parse', '--verify', '--quiet', ref], { allowFailure: true }).stdout.trim() || undefined;

  it('creates, moves and deletes a ref only from the expected value', async () => {
    expectOk(await repo.updateRefs([{ ref: 'refs/gatos/t', newId: one, expectedId: zero }], { message: 'create' }));
    expect(at('refs/gatos/t')).toBe(one);

    const again = await repo.updateRefs([{ ref: 'refs/gatos/t', newId: two, expectedId: zero }]);
    expect(again).toMatchObject({ ok: false, error: { code: 'GIT_ERROR', kind: 'conflict', command: 'git update-ref --stdin' } });
    if (!again.ok) expect(again.error.message).toContain('reference already exists');

    const stale = await repo.updateRefs([{ ref: 'refs/gatos/t', newId: two, expectedId: two }]);
    expect(stale).toMatchObject({ ok: false, error: { kind: 'conflict', message: expect.stringContaining(`is at ${one} but expected ${two}`) } });
    expect(at('refs/gatos/t')).toBe(one);

    expectOk(await repo.updateRefs([{ ref: 'refs/gatos/t', newId: two, expectedId: one }]));
    expect(at('refs/gatos/t')).toBe(two);

    expectOk(await repo.updateRefs([{ ref: 'refs/gatos/t', newId: zero, expectedId: two }]));
    expect(at('refs/gatos/t')).toBeUndefined();
  });

  it('moves all refs of a transaction or none', async () => {
    expectOk(await repo.updateRefs([{ ref: 'refs/gatos/a', newId: one, expectedId: zero }]));
    const r = await repo.updateRefs([
      { ref: 'refs/gatos/b', newId: one, expectedId: zero },
      { ref: 'refs/gatos/a', newId: two, expectedId: two },
    ]);
    expect(r).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(at('refs/gatos/b')).toBeUndefined();
    expect(at('refs/gatos/a')).toBe(one);
  });

  it('reports a held lock as a conflict', async () => {
    const lock = path.join(dir, 'refs/gatos/a.lock');
    writeFileSync(lock, '');
    const r = await repo.updateRefs([{ ref: 'refs/gatos/a', newId: two, expectedId: one }]);
    expect(r).toMatchObject({ ok: false, error: { kind: 'conflict', message: expect.stringContaining('.lock') } });
    expect(at('refs/gatos/a')).toBe(one);
    rmSync(lock);
    expectOk(await repo.updateRefs([{ ref: 'refs/gatos/a', newId: two, expectedId: one }]));
    expect(at('refs/gatos/a')).toBe(two);
  });

  it('refuses what cannot be a compare-and-swap before running git', async () => {
    for (const u of [
      { ref: 'main', newId: one, expectedId: zero },
      { ref: 'refs/x y', newId: one, expectedId: zero },
      { ref: 'refs/x', newId: 'HEAD', expectedId: zero },
      { ref: 'refs/x', newId: one, expectedId: '' },
    ]) {
      expect(await repo.updateRefs([u])).toMatchObject({ ok: false, error: { code: 'VALUE_INVALID' } });
    }
    expect(await repo.updateRefs([{ ref: 'refs/x', newId: one, expectedId: zero }, { ref: 'refs/x', newId: two, expectedId: zero }])).toMatchObject({ ok: false, error: { code: 'VALUE_INVALID' } });
    expect(await repo.updateRefs([{ ref: 'refs/x', newId: one, expectedId: zero }], { message: 'two\nlines' })).toMatchObject({ ok: false, error: { code: 'VALUE_INVALID' } });
    // Names git itself rejects come back as git errors, not conflicts.
    const bad = await repo.updateRefs([{ ref: 'refs/x..y', newId: one, expectedId: zero }]);
    expect(bad).toMatchObject({ ok: false, error: { code: 'GIT_ERROR', kind: 'failed' } });
  });

  it('lets concurrent writers append to one chain, each recomputing after a lost race', async () => {
    const ref = 'refs/gatos/audit/chain';
    const tree = expectOk(await repo.writeTree([]));
    const writers = 4;
    let conflicts = 0;
    const append = (who: number) =>
      repo.retryOnConflict(async (): Promise<Result<string, GateError>> => {
        const head = expectOk(await repo.readRef(ref));
        const commit = await repo.commitTree({ tree, parents: head ? [head] : [], message: `writer ${who}\n`, author: ALICE });
        if (!commit.ok) return commit;
        const moved = await repo.updateRefs([{ ref, newId: commit.value, expectedId: head ?? zero }]);
        if (!moved.ok) conflicts++;
        return moved.ok ? ok(commit.value) : moved;
      }, { tries: 10 });
    const results = await Promise.all(Array.from({ length: writers }, (_, i) => append(i)));
    results.forEach((r) => expect(r.ok).toBe(true));
    const messages = gitText(dir, ['log', '--format=%s', ref]).split('\n').sort();
    expect(messages).toEqual(Array.from({ length: writers }, (_, i) => `writer ${i}`));
    console.log(`[git] ${writers} concurrent writers, ${conflicts} lost races retried`);
  });
});

describe('retry with jittered backoff', () => {
  const conflict: GitError = { code: 'GIT_ERROR', kind: 'conflict', message: 'lost', command: 'git update-ref --stdin', stderr: '' };

  it('waits half fixed, half random, doubling from 25 ms up to 500 ms', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 0))).toEqual([12.5, 25, 50, 100, 200, 250]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, 1))).toEqual([25, 50, 100, 200, 400, 500]);
  });

  it('retries conflicts only, at most five attempts by default, then says it gave up', async () => {
    const waits: number[] = [];
    let calls = 0;
    const r = await retryOnConflict(async () => {
      calls++;
      return { ok: false as const, error: conflict };
    }, { random: () => 0.5, sleep: async (ms) => void waits.push(ms) });
    expect(calls).toBe(5);
    expect(waits).toEqual([18.75, 37.5, 75, 150]);
    expect(r).toMatchObject({ ok: false, error: { code: 'GIT_ERROR', message: 'lost (gave up after 5 attempts)' } });

    let other = 0;
    const failed = await retryOnConflict(async () => {
      other++;
      return { ok: false as const, error: { code: 'GIT_ERROR' as const, message: 'disk full' } };
    }, { sleep: async () => undefined });
    expect(other).toBe(1);
    expect(failed).toMatchObject({ ok: false, error: { message: 'disk full' } });

    let n = 0;
    const later = await retryOnConflict(async (attempt) => (++n < 3 ? { ok: false as const, error: conflict } : ok(attempt)), { sleep: async () => undefined });
    expect(later).toEqual(ok(3));
  });
});
