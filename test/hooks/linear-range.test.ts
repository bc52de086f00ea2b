/**
 * linearRange, the walk the gate uses for fast-forward checks and windows on
 * journals, against git's own answers (merge-base --is-ancestor and rev-list
 * old..new) on real repositories: commits that all share one date (where git
 * walks the whole history), a non-ancestor, a merge (left to git), equal ids,
 * in SHA-1 and SHA-256.
 */
import { openRepo, type GitRepo } from '../../src/git';
import { SHORT_WALK } from '../../src/git/linear';
import { FORMATS, git, gitText, initRepo, writeCommit } from '../helpers/git';

async function open(dir: string): Promise<GitRepo> {
  const r = await openRepo(dir);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

function chain(repo: string, n: number, from?: string): string[] {
  const ids: string[] = [];
  let parent = from;
  for (let i = 0; i < n; i++) {
    // One date for every commit: git's date-ordered walks cannot stop early.
    parent = writeCommit(repo, { message: `c${i} ${from ?? ''}\n`, files: { f: `${i}` }, ...(parent ? { parents: [parent] } : {}) });
    ids.push(parent);
  }
  return ids;
}

function gitAncestor(repo: string, a: string, b: string): boolean {
  return git(repo, ['merge-base', '--is-ancestor', a, b], { allowFailure: true }).status === 0;
}

function gitRange(repo: string, a: string, b: string): string[] {
  return gitText(repo, ['rev-list', '--topo-order', '--reverse', b, '--not', a]).split('\n').filter((l) => l !== '');
}

describe.each(FORMATS)('linearRange (%s)', (format) => {
  let dir: string;
  let repo: GitRepo;
  let main: string[];
  let side: string[];
  let merge: string;
  beforeAll(async () => {
    dir = initRepo({ format, bare: true });
    main = chain(dir, 30);
    side = chain(dir, 5, main[9]);
    merge = writeCommit(dir, { message: 'merge\n', files: { f: 'm' }, parents: [main[29] as string, side[4] as string] });
    repo = await open(dir);
  });
  afterAll(() => repo.close());

  it('agrees with git on every pair of a one-date linear history', async () => {
    for (const [i, j] of [[0, 29], [5, 6], [12, 20], [29, 3], [7, 7]] as const) {
      const a = main[i] as string;
      const b = main[j] as string;
      const r = await repo.linearRange(a, b);
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value?.ancestor).toBe(gitAncestor(dir, a, b));
      if (r.value?.ancestor) expect(r.value.ids).toEqual(gitRange(dir, a, b));
    }
  });

  // Up to SHORT_WALK commits are read in this process; a longer walk is git's rev-list: both agree with git.
  it('agrees with git beyond the in-process walk', async () => {
    const long = chain(dir, SHORT_WALK + 6, main[29]);
    for (const [a, b] of [[main[29], long[SHORT_WALK + 5]], [long[0], long[SHORT_WALK + 1]], [long[3], long[SHORT_WALK - 1]]] as const) {
      const r = await repo.linearRange(a as string, b as string);
      if (!r.ok) throw new Error(r.error.message);
      expect(r.value).toEqual({ ancestor: true, ids: gitRange(dir, a as string, b as string) });
    }
  });

  it('says "no ancestor" for a side branch, as git does', async () => {
    const r = await repo.linearRange(main[20] as string, side[4] as string);
    expect(r.ok && r.value).toEqual({ ancestor: false });
    expect(gitAncestor(dir, main[20] as string, side[4] as string)).toBe(false);
  });

  it('leaves a history with a merge to git', async () => {
    const r = await repo.linearRange(side[0] as string, merge);
    expect(r.ok && r.value).toBeUndefined();
  });

  it('finds old..new above a merge when the chain between them is linear', async () => {
    const top = chain(dir, 3, merge);
    const r = await repo.linearRange(merge, top[2] as string);
    expect(r.ok && r.value).toEqual({ ancestor: true, ids: gitRange(dir, merge, top[2] as string) });
  });
});
