/**
 * The adapter inside a real pre-receive hook, driven by a real `git push`:
 * reads under quarantine see the pushed objects, a ref update from inside
 * quarantine is refused by git, and the escaping writer's audit entry
 * survives the refused push. On SHA-1 and SHA-256 repositories.
 */
import path from 'node:path';
import { expectOk } from '../../src/core/result';
import { openRepo } from '../../src/git';
import { FORMATS, cleanGitEnv, git, gitText, hasObject, initRepo, installHook, writeCommit } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';
import { bundleFixture } from './bundle';

const AUDIT_REF = 'refs/gatos/audit/test';
let hookBundle = '';

beforeAll(async () => {
  hookBundle = await bundleFixture(path.join(__dirname, 'fixtures/audit-hook.ts'), tmpDir('gatos-hook-'));
});

/** The hook's own report lines, from the client's "remote: gatos-test: ..." output. */
function hookLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((l) => /^remote: gatos-test: (.*?)\s*$/.exec(l)?.[1])
    .filter((l): l is string => l !== undefined);
}

function refExists(repo: string, ref: string): boolean {
  return git(repo, ['rev-parse', '--verify', '--quiet', ref], { allowFailure: true }).status === 0;
}

describe.each(FORMATS)('a refused push into a %s repository', (format) => {
  let server = '';
  let client = '';
  let zero = '';

  beforeAll(() => {
    server = initRepo({ format, bare: true });
    client = initRepo({ format });
    zero = '0'.repeat(format === 'sha1' ? 40 : 64);
    installHook(server, 'pre-receive', `#!/bin/sh\nexec "${process.execPath}" "${hookBundle}"\n`);
  });

  it('reads the pushed commit under quarantine, keeps the audit entry, and leaves no pushed ref or object', async () => {
    const pushed = writeCommit(client, { message: 'feature: first\n\nSigned-off-by: Test\n', files: { 'a.txt': 'alpha\n' }, ref: 'refs/heads/main' });
    const pushedTree = gitText(client, ['rev-parse', `${pushed}^{tree}`]);

    const push = git(client, ['push', server, 'main:refs/heads/main'], { allowFailure: true });
    const lines = hookLines(push.stderr);

    expect(push.status).not.toBe(0);
    expect(push.stderr).toContain('pre-receive hook declined');
    expect(lines).toContain(`quarantined=true format=${format}`);
    expect(lines).toContain(`saw refs/heads/main ${pushed} tree=${pushedTree} message=${JSON.stringify('feature: first\n\nSigned-off-by: Test\n')}`);
    expect(lines).toContain(`new-commits ${pushed}`);
    // The escaped view does not see the quarantined objects.
    expect(lines).toContain('escaped-sees-pushed=false');

    // The push left nothing behind: no ref, no object (git removed the quarantine).
    expect(refExists(server, 'refs/heads/main')).toBe(false);
    expect(hasObject(server, pushed)).toBe(false);

    // The audit entry survived, is readable by stock git and by the adapter, and records the push as text.
    const auditLine = lines.find((l) => l.startsWith('audit '));
    const auditId = auditLine?.slice('audit '.length) ?? '';
    expect(auditId).toMatch(format === 'sha1' ? /^[0-9a-f]{40}$/ : /^[0-9a-f]{64}$/);
    expect(gitText(server, ['rev-parse', AUDIT_REF])).toBe(auditId);
    expect(gitText(server, ['cat-file', '-t', auditId])).toBe('commit');
    expect(JSON.parse(gitText(server, ['cat-file', 'blob', `${auditId}:entry.json`]))).toEqual({
      decision: 'deny',
      updates: [{ oldId: zero, newId: pushed, ref: 'refs/heads/main' }],
    });
    expect(git(server, ['fsck', '--strict', '--no-dangling'], { allowFailure: true }).status).toBe(0);

    const repo = expectOk(await openRepo(server, { env: cleanGitEnv() }));
    const commit = await repo.readCommit(AUDIT_REF);
    expect(commit.ok && commit.value.id).toBe(auditId);
    expect(commit.ok && commit.value.parents).toEqual([]);
    await repo.close();
  });

  it('refuses a ref update from inside quarantine, which is why the escaping writer exists', () => {
    writeCommit(client, { message: 'second\n', files: { 'b.txt': 'beta\n' }, ref: 'refs/heads/main' });
    const push = git(client, ['push', server, 'main:refs/heads/main'], { allowFailure: true });
    const refused = hookLines(push.stderr).find((l) => l.startsWith('inside-update'));
    expect(refused).toMatch(/^inside-update refused: GIT_ERROR git update-ref --stdin: .*ref updates forbidden inside quarantine environment/);
    expect(refExists(server, 'refs/gatos/audit/inside')).toBe(false);
  });

  it('chains a second audit entry onto the first by compare-and-swap', () => {
    const before = gitText(server, ['rev-parse', AUDIT_REF]);
    const pushed = writeCommit(client, { message: 'third\n', files: { 'c.txt': 'gamma\n' }, ref: 'refs/heads/topic' });
    const push = git(client, ['push', server, 'topic:refs/heads/topic'], { allowFailure: true });
    expect(push.status).not.toBe(0);
    const after = gitText(server, ['rev-parse', AUDIT_REF]);
    expect(after).not.toBe(before);
    expect(gitText(server, ['rev-parse', `${after}^`])).toBe(before);
    expect(gitText(server, ['rev-list', '--count', AUDIT_REF])).toBe('3');
    expect(refExists(server, 'refs/heads/topic')).toBe(false);
    expect(hasObject(server, pushed)).toBe(false);
  });
});
