/**
 * The cold hooks' caches in $GIT_DIR/gatos/cache (decision 0042), on a real
 * repository: the settings record (src/push/settings-record.ts) and the
 * active bundle's object copies (src/push/bundle-objects.ts). "Answered
 * without git" is shown by a view whose PATH has no git: it can only answer
 * from the cache. Every change git would see, and every damaged file, makes
 * the hooks ask git again, and git's answer is what they give.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expectOk } from '../../src/core/result';
import { openRepo, type GitRepo } from '../../src/git';
import { damagedHookCaches } from '../../src/ops/hook-caches';
import { BundleObjects, bundleObjectsDir, looseFile } from '../../src/push/bundle-objects';
import { recordedSettings, settingsRecordBody, settingsRecordFile } from '../../src/push/settings-record';
import { cleanGitEnv, git, gitDirOf, gitText, initRepo, writeCommit } from '../helpers/git';

describe('the cold hooks\' caches', () => {
  let dir = '';
  let gd = '';
  let env: Record<string, string> = {};
  let noGit: Record<string, string> = {};
  let repo: GitRepo;
  let blind: GitRepo;
  beforeAll(async () => {
    dir = initRepo({ bare: true });
    gd = gitDirOf(dir);
    env = cleanGitEnv({ GIT_CONFIG_GLOBAL: path.join(dir, 'global-config') });
    writeFileSync(env.GIT_CONFIG_GLOBAL as string, '');
    noGit = { ...env, PATH: path.join(dir, 'no-programs-here') };
    repo = expectOk(await openRepo(gd, { env }));
    blind = expectOk(await openRepo(gd, { env: noGit, format: 'sha1' }));
  });
  afterAll(async () => {
    await repo.close();
    await blind.close();
  });

  it('keep git\'s settings answer while nothing git reads changed, and ask git after any change or damage', async () => {
    git(dir, ['config', 'gatos.mode', 'evaluate']);
    const file = settingsRecordFile(gd);
    expect(expectOk(await recordedSettings(repo, env)).mode).toBe('evaluate');
    expect(settingsRecordBody(readFileSync(file))).toBeDefined();
    // Git cannot run for this view: the answer is the record's.
    expect(expectOk(await recordedSettings(blind, noGit)).mode).toBe('evaluate');
    // The repository's config rewritten by git: the record no longer answers.
    git(dir, ['config', 'gatos.mode', 'enforce']);
    expect((await recordedSettings(blind, noGit)).ok).toBe(false);
    expect(expectOk(await recordedSettings(repo, env)).mode).toBe('enforce');
    expect(expectOk(await recordedSettings(blind, noGit)).mode).toBe('enforce');
    // A GIT_CONFIG_* variable git would read is another key.
    const viaEnv = { ...noGit, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'gatos.mode', GIT_CONFIG_VALUE_0: 'evaluate' };
    expect((await recordedSettings(blind, viaEnv)).ok).toBe(false);
    // GIT_CONFIG makes `git config` read that one file, which no key watches: never answered from the record.
    const single = path.join(dir, 'single-config');
    writeFileSync(single, '[gatos]\n\tmode = evaluate\n');
    const viaFileEnv = { ...env, GIT_CONFIG: single };
    const viaFile = expectOk(await openRepo(gd, { env: viaFileEnv, format: 'sha1' }));
    expect(expectOk(await recordedSettings(viaFile, viaFileEnv)).mode).toBe('evaluate');
    writeFileSync(single, '[gatos]\n\tmode = enforce\n');
    expect(expectOk(await recordedSettings(viaFile, viaFileEnv)).mode).toBe('enforce');
    await viaFile.close();
    // A damaged record (one byte changed; its own digest no longer matches) is no record, and git's answer rewrites it.
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 3) ^ 1, bytes.length - 3);
    writeFileSync(file, bytes);
    expect(damagedHookCaches(gd)).toEqual([file]);
    expect((await recordedSettings(blind, noGit)).ok).toBe(false);
    expect(expectOk(await recordedSettings(repo, env)).mode).toBe('enforce');
    expect(damagedHookCaches(gd)).toEqual([]);
    // A configuration with an include is never recorded.
    rmSync(file);
    git(dir, ['config', 'include.path', path.join(dir, 'more-config')]);
    expect(expectOk(await recordedSettings(repo, env)).mode).toBe('enforce');
    expect(existsSync(file)).toBe(false);
    git(dir, ['config', '--unset', 'include.path']);
  });

  it('keep copies of packed objects that read back only as the object their id names', async () => {
    const sub = gitText(dir, ['mktree'], `100644 blob ${gitText(dir, ['hash-object', '-w', '--stdin'], 'inner\n')}\tinner.txt\n`);
    const blob = gitText(dir, ['hash-object', '-w', '--stdin'], 'outer\n');
    const tree = gitText(dir, ['mktree'], `100644 blob ${blob}\touter.txt\n040000 tree ${sub}\tsub\n`);
    const commit = writeCommit(dir, { message: 'bundle\n', ref: 'refs/heads/main' });
    const withTree = git(dir, ['commit-tree', tree, '-p', commit], { input: 'with tree\n' }).stdout.trim();
    git(dir, ['update-ref', 'refs/heads/main', withTree]);
    git(dir, ['repack', '-adq']);
    git(dir, ['prune-packed']);
    // Packed, and git cannot run: nothing to read yet.
    expect((await new BundleObjects(blind).readCommit(withTree)).ok).toBe(false);
    const first = new BundleObjects(repo);
    const c = expectOk(await first.readCommit(withTree));
    expect(c.tree).toBe(tree);
    expect(expectOk(await first.readTree(tree)).map((e) => e.name)).toEqual(['outer.txt', 'sub']);
    expect(Buffer.from(expectOk(await first.readBlob(blob))).toString()).toBe('outer\n');
    first.save();
    const copies = bundleObjectsDir(gd);
    for (const id of [withTree, tree, blob]) expect(existsSync(looseFile(copies, id))).toBe(true);
    // From the copies alone: the same objects.
    const kept = new BundleObjects(blind);
    expect(expectOk(await kept.readCommit(withTree))).toEqual(c);
    expect(Buffer.from(expectOk(await kept.readBlob(blob))).toString()).toBe('outer\n');
    // Asked for another type than the object's: the repository's own answer, error and all.
    expect(await new BundleObjects(repo).readTree(blob)).toEqual(await repo.readTree(blob));
    // A copy holding another object (a whole, valid loose object of the tree) is not the blob: git is asked.
    writeFileSync(looseFile(copies, blob), readFileSync(looseFile(copies, tree)));
    expect(damagedHookCaches(gd)).toEqual([looseFile(copies, blob)]);
    expect((await new BundleObjects(blind).readBlob(blob)).ok).toBe(false);
    expect(Buffer.from(expectOk(await new BundleObjects(repo).readBlob(blob))).toString()).toBe('outer\n');
    // A stray file in the copies' folder is reported too.
    mkdirSync(path.join(copies, 'zz'), { recursive: true });
    writeFileSync(path.join(copies, 'zz', 'not-an-object'), 'x');
    expect(damagedHookCaches(gd)).toEqual([looseFile(copies, blob), path.join(copies, 'zz', 'not-an-object')].sort());
    expect(readdirSync(copies).length).toBeGreaterThan(2);
  });
});
