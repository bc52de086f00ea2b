/**
 * Refs read from the files backend in process (src/git/ref-files.ts) against
 * git's own answers: loose, packed, a loose ref over an older packed one,
 * absent refs, prefixes with and without refs under them; a symbolic ref, a
 * symlinked ref, a linked work tree's folder and a reftable repository are left to git. The
 * adapter's readRef and forEachRef give git's answers either way.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectOk } from '../../src/core/result';
import { openRepo } from '../../src/git';
import { noRefsUnder, readRefFile, type RefBackendMemo } from '../../src/git/ref-files';
import { FORMATS, cleanGitEnv, git, gitDirOf, gitText, initRepo, writeCommit } from '../helpers/git';

describe.each(FORMATS)('refs from files (%s)', (format) => {
  let dir = '';
  let gd = '';
  let a = '';
  let b = '';
  beforeAll(() => {
    dir = initRepo({ format });
    gd = gitDirOf(dir);
    a = writeCommit(dir, { message: 'a\n', files: { f: 'a' }, ref: 'refs/gatos/policies/active' });
    b = writeCommit(dir, { message: 'b\n', files: { f: 'b' }, parents: [a], ref: 'refs/gatos/journal/x/user/alice' });
  });

  it('reads loose refs, packed refs and a loose ref over its packed value as git does', async () => {
    expect(readRefFile(gd, format, 'refs/gatos/policies/active')).toEqual({ id: a });
    expect(readRefFile(gd, format, 'refs/gatos/nothing/here')).toEqual({ id: undefined });
    git(dir, ['pack-refs', '--all']);
    expect(readRefFile(gd, format, 'refs/gatos/policies/active')).toEqual({ id: a });
    git(dir, ['update-ref', 'refs/gatos/policies/active', b]);
    expect(readRefFile(gd, format, 'refs/gatos/policies/active')).toEqual({ id: b });
    expect(gitText(dir, ['rev-parse', 'refs/gatos/policies/active'])).toBe(b);
    const repo = expectOk(await openRepo(gd, { env: cleanGitEnv() }));
    try {
      expect(expectOk(await repo.readRef('refs/gatos/policies/active'))).toBe(b);
      expect(expectOk(await repo.readRef('refs/gatos/journal/x/user/alice'))).toBe(b);
      expect(expectOk(await repo.readRef('refs/gatos/journal/x'))).toBeUndefined();
    } finally {
      await repo.close();
    }
  });

  it('knows a prefix with no refs under it, and leaves any other to git', async () => {
    expect(noRefsUnder(gd, format, 'refs/gatos/epoch/x/')).toBe(true);
    expect(noRefsUnder(gd, format, 'refs/gatos/journal/x/')).toBe(false);
    expect(noRefsUnder(gd, format, 'refs/gatos/journal')).toBe(false);
    expect(noRefsUnder(gd, format, 'refs/gatos/jour')).toBe(true);
    const repo = expectOk(await openRepo(gd, { env: cleanGitEnv() }));
    try {
      expect(expectOk(await repo.forEachRef(['refs/gatos/epoch/x/']))).toEqual([]);
      expect(expectOk(await repo.forEachRef(['refs/gatos/journal/']).then((r) => (r.ok ? { ok: true as const, value: r.value.map((e) => e.id) } : r)))).toEqual([b]);
    } finally {
      await repo.close();
    }
  });

  it('leaves a symbolic ref, a linked work tree and names it does not handle to git', () => {
    git(dir, ['symbolic-ref', 'refs/gatos/sym', 'refs/gatos/policies/active']);
    expect(readRefFile(gd, format, 'refs/gatos/sym')).toBeUndefined();
    expect(readRefFile(gd, format, 'HEAD')).toBeUndefined();
    expect(readRefFile(gd, format, 'refs/gatos/../config')).toBeUndefined();
    const wt = path.join(path.dirname(dir), 'linked');
    git(dir, ['worktree', 'add', '-q', '--detach', wt, b]);
    const linkedGitDir = gitText(wt, ['rev-parse', '--absolute-git-dir']);
    expect(readRefFile(linkedGitDir, format, 'refs/gatos/policies/active')).toBeUndefined();
  });

  it('leaves a symlinked ref (core.preferSymlinkRefs, or one an operator made) to git, whichever way the link points', async () => {
    git(dir, ['-c', 'core.preferSymlinkRefs=true', 'symbolic-ref', 'refs/gatos/linked', 'refs/gatos/policies/active']);
    mkdirSync(path.join(gd, 'refs/gatos/state'), { recursive: true });
    symlinkSync('../policies/active', path.join(gd, 'refs/gatos/state/linked'));
    for (const ref of ['refs/gatos/linked', 'refs/gatos/state/linked']) expect(readRefFile(gd, format, ref)).toBeUndefined();
    const repo = expectOk(await openRepo(gd, { env: cleanGitEnv() }));
    try {
      for (const ref of ['refs/gatos/linked', 'refs/gatos/state/linked']) {
        const listed = gitText(dir, ['for-each-ref', '--format=%(refname) %(objectname)', ref]).split(' ');
        expect(expectOk(await repo.readRef(ref))).toBe(listed[0] === ref ? listed[1] : undefined);
      }
    } finally {
      await repo.close();
      rmSync(path.join(gd, 'refs/gatos/linked'));
      rmSync(path.join(gd, 'refs/gatos/state/linked'));
    }
  });

  // The parse is kept with the very bytes it came from (decision 0058): a rewrite of the same size, in place and at
  // once (the same inode, likely the same clock tick), is still read afresh.
  it('answers from packed-refs as it is now, after a rewrite of the same size in place', () => {
    git(dir, ['pack-refs', '--all']);
    const file = path.join(gd, 'packed-refs');
    const before = readFileSync(file, 'latin1');
    const ref = 'refs/gatos/journal/x/user/alice';
    rmSync(path.join(gd, ref), { force: true });
    expect(readRefFile(gd, format, ref)).toEqual({ id: b });
    const [was, now] = before.includes(`${b} ${ref}`) ? [b, a] : [a, b];
    const rewritten = before.replace(`${was} ${ref}`, `${now} ${ref}`);
    expect(rewritten.length).toBe(before.length);
    writeFileSync(file, rewritten);
    try {
      expect(readRefFile(gd, format, ref)).toEqual({ id: now });
      expect(gitText(dir, ['rev-parse', ref])).toBe(now);
    } finally {
      writeFileSync(file, before);
    }
    expect(readRefFile(gd, format, ref)).toEqual({ id: b });
  });

  it('leaves a packed-refs larger than it parses to git, which still answers', async () => {
    const file = path.join(gd, 'packed-refs');
    const before = readFileSync(file, 'latin1');
    const extra = Array.from({ length: 20000 }, (_, i) => `${a} refs/zz-bulk/r${String(i).padStart(6, '0')}\n`).join('');
    // Appended after every existing name, so the file stays sorted as its header says.
    writeFileSync(file, before + extra);
    try {
      expect(readRefFile(gd, format, 'refs/zz-bulk/r000007')).toBeUndefined();
      const repo = expectOk(await openRepo(gd, { env: cleanGitEnv() }));
      try {
        expect(expectOk(await repo.readRef('refs/zz-bulk/r000007'))).toBe(a);
      } finally {
        await repo.close();
      }
    } finally {
      writeFileSync(file, before);
    }
  });

  it('leaves a FIFO, a file too long for an id and a ref file without its newline to their answers, without waiting', () => {
    const fifo = path.join(gd, 'refs/gatos/fifo');
    execFileSync('mkfifo', [fifo]);
    const long = path.join(gd, 'refs/gatos/long');
    writeFileSync(long, `${a}\n`.repeat(3));
    const bare = path.join(gd, 'refs/gatos/bare');
    writeFileSync(bare, a);
    try {
      // Opening a FIFO with no writer for reading would hold this process; git never makes one at a ref's path.
      expect(readRefFile(gd, format, 'refs/gatos/fifo')).toBeUndefined();
      expect(readRefFile(gd, format, 'refs/gatos/long')).toBeUndefined();
      expect(readRefFile(gd, format, 'refs/gatos/bare')).toEqual({ id: a });
      expect(gitText(dir, ['rev-parse', 'refs/gatos/bare'])).toBe(a);
    } finally {
      for (const f of [fifo, long, bare]) rmSync(f, { force: true });
    }
  });

  // A migration to reftable (git refs migrate, git 2.46; 2.39 here cannot run it) under a view that found files: its
  // on-disk result is a reftable/ folder and no ref files. The view must not read every ref as absent then.
  it('asks a view\'s memo for the backend of refs it finds, and the disk again before it answers that none is there', () => {
    const memo: RefBackendMemo = {};
    expect(readRefFile(gd, format, 'refs/gatos/policies/active', memo)).toBeDefined();
    expect(noRefsUnder(gd, format, 'refs/gatos/epoch/x/', memo)).toBe(true);
    expect(readRefFile(gd, format, 'refs/gatos/epoch/x/y', memo)).toEqual({ id: undefined });
    expect(memo.files).toBe(true);
    const scratch = path.join(path.dirname(gd), `migrated-${format}`);
    rmSync(scratch, { recursive: true, force: true });
    execFileSync('cp', ['-a', gd, scratch]);
    const view: RefBackendMemo = {};
    try {
      expect(readRefFile(scratch, format, 'refs/gatos/policies/active', view)).toBeDefined();
      expect(view.files).toBe(true);
      mkdirSync(path.join(scratch, 'reftable'));
      rmSync(path.join(scratch, 'refs/gatos'), { recursive: true, force: true });
      rmSync(path.join(scratch, 'packed-refs'), { force: true });
      expect(readRefFile(scratch, format, 'refs/gatos/policies/active', view)).toBeUndefined();
      expect(view.files).toBe(false);
      expect(noRefsUnder(scratch, format, 'refs/gatos/epoch/x/', { files: true })).toBeUndefined();
      expect(readRefFile(scratch, format, 'refs/gatos/epoch/x/y', { files: true })).toBeUndefined();
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  // git 2.39 here cannot make a reftable repository; its layout (a reftable/ folder in the git directory, git's
  // gitformat-reftable documentation) is what the reader looks for.
  it('leaves a repository with a reftable/ folder to git', () => {
    mkdirSync(path.join(gd, 'reftable'));
    try {
      expect(readRefFile(gd, format, 'refs/gatos/policies/active')).toBeUndefined();
      expect(noRefsUnder(gd, format, 'refs/gatos/epoch/x/')).toBeUndefined();
    } finally {
      rmSync(path.join(gd, 'reftable'), { recursive: true });
    }
  });
});

