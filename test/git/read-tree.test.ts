/**
 * readTreeFiles (src/workspace/read-tree.ts) against stock git: every file
 * of a nested tree, in git's own order (`git ls-tree -r`), with its bytes;
 * executables refused; the file limit enforced; a folder larger than one
 * call's argument list.
 */
import path from 'node:path';
import { openRepo, type GitRepo } from '../../src/git';
import { readTreeFiles } from '../../src/workspace/read-tree';
import { FORMATS, git, gitText, initRepo } from '../helpers/git';

describe.each(FORMATS)('readTreeFiles (%s)', (format) => {
  const dir = initRepo({ format });
  let repo: GitRepo;
  const blob = (content: string) => git(dir, ['hash-object', '-w', '--stdin'], { input: content }).stdout.trim();
  const mktree = (lines: string) => git(dir, ['mktree'], { input: lines }).stdout.trim();
  const inner = mktree(`100644 blob ${blob('deep')}\tz.txt\n100644 blob ${blob('a in b')}\ta.txt\n`);
  const mid = mktree(`040000 tree ${inner}\tc\n100644 blob ${blob('b file')}\tb.json\n`);
  const root = mktree(`100644 blob ${blob('top')}\ta.txt\n040000 tree ${mid}\tb\n100644 blob ${blob('last')}\tz\n040000 tree ${inner}\tb-\n`);

  beforeAll(async () => {
    const o = await openRepo(path.join(dir, '.git'));
    if (!o.ok) throw new Error(o.error.message);
    repo = o.value;
  });
  afterAll(() => repo.close());

  it('reads every file, in git\'s order, with its bytes', async () => {
    const r = await readTreeFiles(repo, root);
    if (!r.ok) throw new Error(r.error.message);
    const listed = gitText(dir, ['ls-tree', '-r', '--name-only', root]).split('\n');
    expect([...r.value.keys()]).toEqual(listed);
    for (const p of listed) expect(Buffer.from(r.value.get(p) as Uint8Array).toString('utf8')).toBe(gitText(dir, ['cat-file', 'blob', `${root}:${p}`]));
  });

  it('refuses an executable anywhere, naming it', async () => {
    const bad = mktree(`040000 tree ${mid}\tb\n100755 blob ${blob('run')}\tx\n`);
    const deep = mktree(`040000 tree ${mktree(`100755 blob ${blob('run')}\trun.sh\n`)}\td\n`);
    for (const [t, name] of [[bad, 'x'], [deep, 'd/run.sh']] as const) {
      const r = await readTreeFiles(repo, t);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('PROOF_INVALID');
        expect(r.error.message).toContain(`${name} in tree ${t} has mode 100755`);
      }
    }
  });

  it('enforces the file limit, and reads a tree exactly at it', async () => {
    const n = gitText(dir, ['ls-tree', '-r', '--name-only', root]).split('\n').length;
    const over = await readTreeFiles(repo, root, n - 1);
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.error.code).toBe('GATE_ERROR');
    const at = await readTreeFiles(repo, root, n);
    expect(at.ok && at.value.size).toBe(n);
  });
});

describe('readTreeFiles on a large folder', () => {
  it('reads a folder of 130,000 files (more than one call can take as arguments)', async () => {
    const dir = initRepo();
    const one = git(dir, ['hash-object', '-w', '--stdin'], { input: 'x' }).stdout.trim();
    const lines = Array.from({ length: 130_000 }, (_, i) => `100644 blob ${one}\tf${i}\n`).join('');
    const inner = git(dir, ['mktree'], { input: lines }).stdout.trim();
    const big = git(dir, ['mktree'], { input: `040000 tree ${inner}\td\n` }).stdout.trim();
    const o = await openRepo(path.join(dir, '.git'));
    if (!o.ok) throw new Error(o.error.message);
    try {
      const r = await readTreeFiles(o.value, big, 200_000);
      expect(r.ok && r.value.size).toBe(130_000);
      expect(r.ok && r.value.has('d/f129999')).toBe(true);
    } finally {
      await o.value.close();
    }
  }, 60_000);
});
