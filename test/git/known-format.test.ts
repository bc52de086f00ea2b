/**
 * openRepo with an object format the caller already knows (a hook reads it
 * off the ids git gave it): the repository reads as if git had been asked,
 * and a wrong format makes reads fail, never succeed with other ids.
 */
import { expectOk } from '../../src/core/result';
import { openRepo } from '../../src/git';
import { FORMATS, cleanGitEnv, gitDirOf, initRepo, writeCommit } from '../helpers/git';

describe.each(FORMATS)('opening a %s repository with a known object format', (format) => {
  const other = format === 'sha1' ? 'sha256' : 'sha1';

  it('reads what a repository opened by asking git reads', async () => {
    const dir = initRepo({ format });
    const id = writeCommit(dir, { message: 'root\n', files: { 'a.txt': 'alpha\n' }, ref: 'refs/heads/main' });
    const asked = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv() }));
    const told = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv(), format }));
    try {
      expect(told.format).toBe(asked.format);
      expect(told.zeroId).toBe(asked.zeroId);
      expect(told.gitDir).toBe(asked.gitDir);
      expect(expectOk(await told.readRef('refs/heads/main'))).toBe(id);
      expect(expectOk(await told.readCommit(id))).toEqual(expectOk(await asked.readCommit(id)));
    } finally {
      await Promise.all([asked.close(), told.close()]);
    }
  });

  it('fails to read when told the wrong format', async () => {
    const dir = initRepo({ format });
    const id = writeCommit(dir, { message: 'root\n', files: { 'a.txt': 'alpha\n' }, ref: 'refs/heads/main' });
    const wrong = expectOk(await openRepo(gitDirOf(dir), { env: cleanGitEnv(), format: other }));
    try {
      expect(wrong.format).toBe(other);
      expect((await wrong.readCommit(id)).ok).toBe(false);
      expect((await wrong.readRef('refs/heads/main')).ok).toBe(false);
    } finally {
      await wrong.close();
    }
  });
});
