/**
 * Objects built in memory have the ids stock git gives the same content,
 * and one pack written through `git index-pack` holds them all, intact
 * (`git fsck --strict`), in both object formats.
 */
import { utf8 } from '../../src/core/bytes';
import { openRepo, type GitRepo } from '../../src/git';
import { commitData, filesToObjects, makeObject, treeData } from '../../src/workspace/git-objects';
import { ObjectBatch } from '../../src/workspace/object-batch';
import { FORMATS, git, gitDirOf, gitText, initRepo } from '../helpers/git';

describe.each(FORMATS)('git objects (%s)', (format) => {
  let repo: string;
  let r: GitRepo;
  beforeAll(async () => {
    repo = initRepo({ format });
    const o = await openRepo(gitDirOf(repo));
    if (!o.ok) throw new Error(o.error.message);
    r = o.value;
  });
  afterAll(() => r.close());

  it('blob, tree and commit ids equal git hash-object, mktree and commit-tree', () => {
    const blob = makeObject(format, 'blob', utf8('hello\n'));
    expect(blob.id).toBe(gitText(repo, ['hash-object', '-w', '--stdin'], 'hello\n'));
    const tree = makeObject(format, 'tree', treeData([
      { name: 'b.txt', mode: '100644', id: blob.id },
      { name: 'a', mode: '40000', id: gitText(repo, ['mktree'], '') },
      { name: 'a.txt', mode: '100644', id: blob.id },
      { name: 'a-b', mode: '100644', id: blob.id },
    ]));
    const empty = gitText(repo, ['mktree'], '');
    const viaGit = gitText(repo, ['mktree'], `100644 blob ${blob.id}\tb.txt\n040000 tree ${empty}\ta\n100644 blob ${blob.id}\ta.txt\n100644 blob ${blob.id}\ta-b\n`);
    expect(tree.id).toBe(viaGit);
    const ident = { name: 'user:alice', email: 'alice@user.actors.gatos.invalid', seconds: 1700000000, tz: '+0000' };
    const commit = makeObject(format, 'commit', commitData({ tree: tree.id, parents: [], author: ident, committer: ident, message: 'm\n\nKey: v\n' }));
    const env = { GIT_AUTHOR_NAME: ident.name, GIT_AUTHOR_EMAIL: ident.email, GIT_AUTHOR_DATE: '@1700000000 +0000', GIT_COMMITTER_NAME: ident.name, GIT_COMMITTER_EMAIL: ident.email, GIT_COMMITTER_DATE: '@1700000000 +0000' };
    expect(commit.id).toBe(git(repo, ['commit-tree', tree.id], { input: 'm\n\nKey: v\n', env }).stdout.trim());
  });

  it('writes a nested file tree and commits in one pack that fsck accepts', async () => {
    const files = new Map([
      ['state/a.json', utf8('{"a":1}')],
      ['state/deep/b.json', utf8('[]')],
      ['.gatos/proof.cbor', new Uint8Array([0xa0])],
      ['top.txt', utf8('x')],
    ]);
    const batch = new ObjectBatch(format);
    const { objects, root } = filesToObjects(format, files);
    batch.addAll(objects);
    const ident = { name: 'gatos', email: 'gatos@gatos.invalid', seconds: 1, tz: '+0000' };
    let parent: string[] = [];
    for (let i = 0; i < 50; i++) {
      const id = batch.add('commit', commitData({ tree: root, parents: parent, author: ident, committer: ident, message: `c${i}\n` }));
      parent = [id];
    }
    const w = await batch.write(r);
    expect(w).toEqual({ ok: true, value: undefined });
    git(repo, ['update-ref', 'refs/heads/main', parent[0] as string]);
    git(repo, ['fsck', '--strict', '--no-dangling']);
    expect(gitText(repo, ['rev-list', '--count', 'main'])).toBe('50');
    expect(gitText(repo, ['cat-file', 'blob', `main:state/deep/b.json`])).toBe('[]');
    expect(gitText(repo, ['ls-tree', '-r', '--name-only', 'main']).split('\n')).toEqual(['.gatos/proof.cbor', 'state/a.json', 'state/deep/b.json', 'top.txt']);
    // Writing the same objects again is harmless.
    batch.addAll(objects);
    expect((await batch.write(r)).ok).toBe(true);
  });
});
