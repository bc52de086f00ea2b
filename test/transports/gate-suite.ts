/**
 * The installed gate behind a real transport, for each template: the hook
 * must learn the pusher from what the server sets (GL_USER from a forced
 * command, REMOTE_USER from HTTP authentication), decide with the template's
 * policy, print its refusal on the client's `remote:` lines, append an audit
 * entry naming the actor and the transport, and leave the repository as it
 * was. One server per test file; one bare repository per template.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { git, gitText, initRepo, writeCommit } from '../helpers/git';
import type { GitRemote } from '../helpers/sshd';
import { tmpDir } from '../helpers/tmp';
import { TEMPLATES, type TemplateName } from '../templates/template-files';

export const INSTALL_SH = path.resolve(__dirname, '../../install.sh');

export interface TransportServer {
  remote(user: string, repo: string): GitRemote;
  stop(): Promise<void>;
}

export interface TransportUnderTest {
  readonly transport: 'ssh' | 'http';
  /** The variable the server sets for the hook. */
  readonly actorSource: 'GL_USER' | 'REMOTE_USER';
  readonly available: () => boolean;
  readonly start: (repoRoot: string, users: readonly string[]) => Promise<TransportServer>;
}

/** Installs the gate the way an operator does: ./install.sh <bare> --template <name>. */
export function installGate(bare: string, template: TemplateName): void {
  const r = spawnSync('sh', [INSTALL_SH, bare, '--template', template], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`install.sh ${template} exited ${r.status}: ${r.stdout}${r.stderr}`);
}

export interface AuditEntryView {
  actor: string | null;
  host_user: string | null;
  actor_source: string | null;
  transport: string;
  outcome: string;
  denials: { ref: string; code: string; rule: string; reason: string; enforced: boolean }[];
  updates: { ref: string; old: string; new: string }[];
}

export function auditEntries(bare: string): AuditEntryView[] {
  const r = runCli(['audit', 'log', '--repo', bare, '--json']);
  if (r.status !== 0) throw new Error(`gatos audit log exited ${r.status}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => (JSON.parse(l) as { entry: AuditEntryView }).entry);
}

/** Every ref but the audit trail (which a refusal is meant to move). */
export function visibleRefs(bare: string): string {
  return gitText(bare, ['for-each-ref', '--format=%(refname) %(objectname)'])
    .split('\n')
    .filter((l) => !l.startsWith('refs/gatos/audit/'))
    .join('\n');
}

export function pushTo(remote: GitRemote, refspec: string, files: Record<string, string> = { 'notes.md': 'hello\n' }) {
  const client = initRepo();
  writeCommit(client, { message: 'change\n', files, ref: 'refs/heads/work' });
  return git(client, ['push', '--porcelain', remote.url, `refs/heads/work:${refspec}`], { env: remote.env, allowFailure: true });
}

/** What each template decides for an ordinary branch push by an actor nobody vouched for. */
const BRANCH_PUSH: Record<TemplateName, { accepted: true } | { accepted: false; rule: string; code: string }> = {
  minimal: { accepted: true },
  regulated: { accepted: false, rule: 'branches/vouched-actors', code: 'POLICY_DENY' },
  airgapped: { accepted: false, rule: 'refs/declared-only', code: 'POLICY_DENY' },
};

export function gateOverTransport(t: TransportUnderTest): void {
  const run = t.available() ? describe : describe.skip;
  run(`the gate over ${t.transport}://`, () => {
    let server: TransportServer;
    let root: string;
    beforeAll(async () => {
      root = tmpDir(`gatos-${t.transport}-gate-`);
      for (const template of TEMPLATES) {
        const bare = path.join(root, `${template}.git`);
        git(root, ['init', '-q', '--bare', '--initial-branch=main', bare]);
        installGate(bare, template);
      }
      server = await t.start(root, ['alice', 'bob']);
    });
    afterAll(async () => {
      await server?.stop();
    });

    describe.each(TEMPLATES)('template %s', (template) => {
      const bare = () => path.join(root, `${template}.git`);

      test('a write to the audit ref is refused on remote: lines, audited with the actor and transport, nothing else changes', () => {
        const before = visibleRefs(bare());
        const entries = auditEntries(bare()).length;
        const r = pushTo(server.remote('alice', `${template}.git`), 'refs/gatos/audit/policy');
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain('remote: gatos gate: push refused');
        expect(r.stderr).toContain('remote: DENIED refs/gatos/audit/policy');
        expect(r.stderr).toContain('remote:   rule:   gate/audit-readonly');
        expect(r.stdout).toMatch(/^!\trefs\/heads\/work:refs\/gatos\/audit\/policy\t\[remote rejected\]/m);
        expect(visibleRefs(bare())).toBe(before);
        const log = auditEntries(bare());
        expect(log.length).toBe(entries + 1);
        const newest = log[0]!;
        expect(newest).toMatchObject({ actor: 'user:alice', host_user: 'alice', actor_source: t.actorSource, transport: t.transport, outcome: 'refused' });
        expect(newest.denials.map((d) => [d.ref, d.rule])).toContainEqual(['refs/gatos/audit/policy', 'gate/audit-readonly']);
      });

      test("an ordinary branch push is decided by the template's policy for the actor the server named", () => {
        const before = visibleRefs(bare());
        const r = pushTo(server.remote('bob', `${template}.git`), 'refs/heads/topic');
        const want = BRANCH_PUSH[template];
        if (want.accepted) {
          expect({ status: r.status, stderr: r.stderr }).toMatchObject({ status: 0 });
          expect(gitText(bare(), ['rev-parse', '--verify', 'refs/heads/topic'])).toMatch(/^[0-9a-f]{40}$/);
          return;
        }
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain(`remote:   code:   ${want.code}`);
        expect(r.stderr).toContain(`remote:   rule:   ${want.rule}`);
        expect(visibleRefs(bare())).toBe(before);
        const newest = auditEntries(bare())[0]!;
        expect(newest).toMatchObject({ actor: 'user:bob', actor_source: t.actorSource, transport: t.transport });
        expect(newest.denials[0]).toMatchObject({ ref: 'refs/heads/topic', rule: want.rule, code: want.code, enforced: true });
      });
    });
  });
}
