/**
 * GitLab, Gitea, Forgejo and GitHub Enterprise Server cannot run here. Each
 * is REPRODUCED FROM ITS DOCUMENTATION (docs/hosts/<host>.md cites it): the
 * hook layout its dispatcher reads and the environment it passes, as a
 * small dispatcher script installed as the repository's hooks/pre-receive,
 * in front of a real bare repository and a real `git push`. The gate is
 * installed with `./install.sh <repo> --host <host>` exactly as each page
 * says. What a dispatcher passes is built from scratch (env -i) where the
 * host builds it (Gitaly, GHES), so nothing of the client's reaches the
 * gate there; Gitea and Forgejo run git under their own `serv` command,
 * whose environment the client's stands for here.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { INSTALL_SH, REPO_ROOT } from '../helpers/gate-world';
import { CLI } from '../helpers/cli';
import { cleanGitEnv, git, initRepo } from '../helpers/git';
import { tmpDir } from '../helpers/tmp';

jest.setTimeout(180_000);

/** Variables a dispatcher hands on from git: the quarantine (pushed objects), push options, the repository. */
const GIT_PASS = 'GIT_DIR GIT_QUARANTINE_PATH GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_PUSH_OPTION_COUNT GIT_PUSH_OPTION_0 GIT_PUSH_OPTION_1';

/** `env -i` with PATH, git's variables and the host's, each only when set. */
const envFrom = (names: string) => `set -- env -i PATH="$PATH"
for v in ${GIT_PASS} ${names}; do
  eval "val=\\\${$v+x}\\\${$v-}"
  case "$val" in x*) set -- "$@" "$v=\${val#x}" ;; esac
done`;

/**
 * Gitaly (GitLab's server hooks, docs.gitlab.com/administration/server_hooks):
 * runs the repository's custom_hooks/pre-receive, then every executable file
 * of custom_hooks/pre-receive.d/ (sorted, `*~` skipped), then the global
 * custom_hooks_dir's pre-receive.d/, each with the push on stdin and
 * GL_ID, GL_USERNAME, GL_PROTOCOL, GL_REPOSITORY, GL_PROJECT_PATH; the first
 * failure refuses the push.
 */
const GITALY = `#!/bin/sh
# reproduction of Gitaly's custom-hook runner (test/hosts/layouts.test.ts)
stdin=$(cat)
${envFrom('GL_ID GL_USERNAME GL_PROTOCOL GL_REPOSITORY GL_PROJECT_PATH')}
for h in custom_hooks/pre-receive custom_hooks/pre-receive.d/* "$GLOBAL_HOOKS/pre-receive.d/"*; do
  case "$h" in *~) continue ;; esac
  [ -f "$h" ] && [ -x "$h" ] || continue
  echo "ran $h" >> "$RAN_LOG"
  printf '%s\\n' "$stdin" | "$@" "$h" || exit 1
done
exit 0
`;

/**
 * Gitea's and Forgejo's hooks/pre-receive (written by the host for every
 * repository): runs every executable file of hooks/pre-receive.d/ (the
 * host's own `gitea` hook among them) with the push on stdin, and refuses
 * when any of them failed. The environment is the one `gitea serv` set
 * before git-receive-pack (GITEA_PUSHER_NAME, GITEA_PUSHER_ID, ...).
 */
const GITEA = `#!/bin/sh
# reproduction of Gitea's/Forgejo's pre-receive dispatcher (test/hosts/layouts.test.ts)
stdin=$(cat)
status=0
for h in hooks/pre-receive.d/*; do
  [ -f "$h" ] && [ -x "$h" ] || continue
  echo "ran $h" >> "$RAN_LOG"
  printf '%s\\n' "$stdin" | "$h" || status=1
done
exit $status
`;
/** The host's own hook in pre-receive.d (Gitea: `gitea hook --config=... pre-receive`): here it accepts. */
const HOST_OWN_HOOK = '#!/bin/sh\ncat >/dev/null\nexit 0\n';

/**
 * GitHub Enterprise Server (docs.github.com, "Creating a pre-receive hook
 * script" and "... environment"): the script from the hook repository runs
 * in a chroot environment built from a tarball, with the push on stdin and
 * GITHUB_USER_LOGIN, GITHUB_REPO_NAME, GITHUB_USER_IP, GITHUB_VIA, GIT_DIR;
 * all pre-receive hooks share 5 seconds. The chroot is stood for by a folder
 * holding the gate where the page's Dockerfile puts it (/opt/gatos-gate).
 */
const GHES = (script: string) => `#!/bin/sh
# reproduction of the GHES pre-receive hook runner (test/hosts/layouts.test.ts)
${envFrom('GITHUB_USER_LOGIN GITHUB_REPO_NAME GITHUB_USER_IP GITHUB_VIA')}
echo "ran ${script}" >> "$RAN_LOG"
exec timeout 5 "$@" GATOS_GATE_HOME="$GHES_CHROOT/opt/gatos-gate" sh ${script}
`;

type Host = 'gitlab' | 'gitea' | 'forgejo' | 'ghes';

interface Rig {
  bare: string;
  client: string;
  ran: string;
  hostEnv: Record<string, string>;
  push(ref: string, env?: Record<string, string>): { status: number | null; stderr: string };
}

function sh(args: string[], env: Record<string, string> = {}) {
  return spawnSync('sh', args, { encoding: 'utf8', env: cleanGitEnv(env) });
}

/** A bare repository as the host lays it out, its dispatcher, the gate installed the documented way, and a client. */
function rig(host: Host, identity: Record<string, string>): Rig {
  const root = tmpDir(`gatos-${host}-`);
  const bare = initRepo({ bare: true });
  const ran = path.join(root, 'ran.log');
  writeFileSync(ran, '');
  const hooks = path.join(bare, 'hooks');
  const base: Record<string, string> = { RAN_LOG: ran };
  if (host === 'gitlab') {
    writeFileSync(path.join(hooks, 'pre-receive'), GITALY);
    base.GLOBAL_HOOKS = path.join(root, 'global-custom-hooks');
  } else if (host === 'gitea' || host === 'forgejo') {
    writeFileSync(path.join(hooks, 'pre-receive'), GITEA);
    mkdirSync(path.join(hooks, 'pre-receive.d'));
    writeFileSync(path.join(hooks, 'pre-receive.d', host === 'gitea' ? 'gitea' : 'forgejo'), HOST_OWN_HOOK);
    chmodSync(path.join(hooks, 'pre-receive.d', host === 'gitea' ? 'gitea' : 'forgejo'), 0o755);
  } else {
    // docs/hosts/ghes.md: the environment tarball holds Node and the built gate under /opt/gatos-gate;
    // the hook repository holds gatos-gate.sh, which runs it.
    const chroot = path.join(root, 'chroot');
    mkdirSync(path.join(chroot, 'opt', 'gatos-gate'), { recursive: true });
    cpSync(path.join(REPO_ROOT, 'hooks'), path.join(chroot, 'opt', 'gatos-gate', 'hooks'), { recursive: true });
    const script = path.join(root, 'hook-repo', 'gatos-gate.sh');
    mkdirSync(path.dirname(script));
    writeFileSync(script, readFileSync(path.join(REPO_ROOT, 'docs', 'hosts', 'ghes-pre-receive.sh')));
    writeFileSync(path.join(hooks, 'pre-receive'), GHES(script));
    base.GHES_CHROOT = chroot;
  }
  chmodSync(path.join(hooks, 'pre-receive'), 0o755);
  const inst = sh([INSTALL_SH, bare, '--template', 'minimal', '--host', host]);
  if (inst.status !== 0) throw new Error(`install --host ${host}: ${inst.stderr}`);
  const client = path.join(root, 'client');
  git(root, ['clone', '-q', bare, client]);
  git(client, ['commit', '-q', '--allow-empty', '-m', 'one']);
  return {
    bare,
    client,
    ran,
    hostEnv: { ...base, ...identity },
    push: (ref, env = { ...base, ...identity }) => {
      const r = git(client, ['push', 'origin', `HEAD:${ref}`], { env, allowFailure: true });
      return { status: r.status, stderr: r.stderr };
    },
  };
}

function audit(bare: string): { actor: string | null; actor_source: string | null; transport: string }[] {
  const r = spawnSync(process.execPath, [CLI, 'audit', 'log', '--repo', bare, '--json'], { encoding: 'utf8', env: cleanGitEnv() });
  return r.stdout.split('\n').filter((l) => l !== '').map((l) => (JSON.parse(l) as { entry: { actor: string | null; actor_source: string | null; transport: string } }).entry);
}

const CASES: { host: Host; identity: Record<string, string>; source: string; variables: string; transport: string }[] = [
  { host: 'gitlab', identity: { GL_USERNAME: 'alice', GL_ID: 'user-2', GL_PROTOCOL: 'ssh', GL_REPOSITORY: 'project-7', GL_PROJECT_PATH: 'org/project' }, source: 'GL_USERNAME', variables: 'GL_USERNAME, GL_ID', transport: 'ssh' },
  { host: 'gitea', identity: { GITEA_PUSHER_NAME: 'alice', GITEA_PUSHER_ID: '2', GITEA_REPO_USER_NAME: 'org', GITEA_REPO_NAME: 'project' }, source: 'GITEA_PUSHER_NAME', variables: 'GITEA_PUSHER_NAME', transport: 'file' },
  { host: 'forgejo', identity: { GITEA_PUSHER_NAME: 'alice', GITEA_PUSHER_ID: '2', GITEA_REPO_USER_NAME: 'org', GITEA_REPO_NAME: 'project' }, source: 'GITEA_PUSHER_NAME', variables: 'GITEA_PUSHER_NAME', transport: 'file' },
  { host: 'ghes', identity: { GITHUB_USER_LOGIN: 'alice', GITHUB_REPO_NAME: 'org/project', GITHUB_USER_IP: '192.0.2.7', GITHUB_VIA: 'git' }, source: 'GITHUB_USER_LOGIN', variables: 'GITHUB_USER_LOGIN', transport: 'file' },
];

describe.each(CASES)('$host, reproduced from its documentation (dispatcher script and hook environment, real bare repo and real push)', ({ host, identity, source, variables, transport }) => {
  it(`installs where ${host}'s dispatcher runs it, accepts a branch push and refuses with the actor from ${source}`, () => {
    const r = rig(host, identity);
    expect(git(r.bare, ['config', 'gatos.host']).stdout.trim()).toBe(host);
    if (host === 'gitlab') {
      expect(statSync(path.join(r.bare, 'custom_hooks', 'pre-receive.d', 'gatos-gate')).mode & 0o111).not.toBe(0);
      expect(statSync(path.join(r.bare, 'custom_hooks', 'pre-receive.d', 'pre-receive.bundle.cjs')).mode & 0o111).toBe(0);
    }
    if (host === 'gitea' || host === 'forgejo') {
      expect(statSync(path.join(r.bare, 'hooks', 'pre-receive.d', 'pre-receive.bundle.cjs')).mode & 0o111).toBe(0);
      expect(existsSync(path.join(r.bare, 'hooks', 'update'))).toBe(false);
    }

    const ok = r.push('refs/heads/main');
    expect({ status: ok.status, stderr: ok.status === 0 ? '' : ok.stderr }).toEqual({ status: 0, stderr: '' });
    // No update hook of the gate's runs here, so the accepting pre-receive leaves no verdict record for one.
    const records = path.join(r.bare, 'gatos', 'verdicts');
    expect(existsSync(records) ? readdirSync(records) : []).toEqual([]);
    const ran = readFileSync(r.ran, 'utf8');
    if (host === 'gitlab') expect(ran).toBe('ran custom_hooks/pre-receive.d/gatos-gate\n');
    // The bundle beside the gate is not executable, so the dispatcher runs the gate and the host's own hook only.
    if (host === 'gitea' || host === 'forgejo') expect(ran.split('\n').filter((l) => l !== '').sort()).toEqual(['ran hooks/pre-receive.d/gatos-gate', `ran hooks/pre-receive.d/${host}`].sort());

    const denied = r.push('refs/gatos/audit/policy');
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain('gatos gate: push refused');
    expect(denied.stderr).toContain('gate/audit-readonly');
    // Under ghes the entry travels in the refusal (the gate writes no audit ref there, docs/hosts/ghes.md).
    const entries = host === 'ghes' ? denied.stderr.split('\n').filter((l) => l.includes('gatos gate: audit entry (not in ')).map((l) => JSON.parse(l.slice(l.indexOf('{'))) as ReturnType<typeof audit>[number]) : audit(r.bare);
    expect(entries.map((e) => [e.actor, e.actor_source, e.transport])).toEqual([['user:alice', source, transport]]);

    // Uninstall takes out the gate's files and settings only; the host's dispatcher and its own hook stay.
    const un = sh([INSTALL_SH, r.bare, '--uninstall']);
    expect(un.status).toBe(0);
    const dir = host === 'gitlab' ? path.join(r.bare, 'custom_hooks', 'pre-receive.d') : path.join(r.bare, 'hooks', 'pre-receive.d');
    expect(existsSync(path.join(dir, 'gatos-gate'))).toBe(false);
    expect(existsSync(path.join(dir, 'pre-receive.bundle.cjs'))).toBe(false);
    if (host === 'gitea' || host === 'forgejo') expect(existsSync(path.join(dir, host))).toBe(true);
    expect(existsSync(path.join(r.bare, 'hooks', 'pre-receive'))).toBe(true);
    expect(git(r.bare, ['config', 'gatos.host'], { allowFailure: true }).status).toBe(1);
  });

  it(`refuses naming ${variables} and docs/hosts/${host}.md when ${host} set no pusher identity (a client's GATOS_ACTOR does not count)`, () => {
    const r = rig(host, identity);
    const without = Object.fromEntries(Object.entries(r.hostEnv).filter(([k]) => !['GL_USERNAME', 'GL_ID', 'GITEA_PUSHER_NAME', 'GITHUB_USER_LOGIN'].includes(k)));
    const denied = r.push('refs/gatos/journal/demo/user/alice', { ...without, GATOS_ACTOR: 'user:alice' });
    expect(denied.status).not.toBe(0);
    expect(denied.stderr).toContain(`no pusher identity: the host set none of ${variables}; see docs/hosts/${host}.md`);
    expect(denied.stderr).not.toContain("missing attribute 'actor");
  });
});

it('GitHub Enterprise Server, reproduced: the gate writes no audit ref there (GitHub documents no writes) and the refusal carries the audit entry itself', () => {
  const ghes = CASES.find((c) => c.host === 'ghes');
  const r = rig('ghes', ghes?.identity ?? {});
  const denied = r.push('refs/gatos/journal/demo/user/bob');
  expect(denied.status).not.toBe(0);
  const line = denied.stderr.split('\n').find((l) => l.includes('gatos gate: audit entry (not in refs/gatos/audit/policy): '));
  expect(line).toBeDefined();
  const entry = JSON.parse((line as string).slice((line as string).indexOf('{'))) as { actor: string; actor_source: string; outcome: string; denials: { rule: string }[] };
  expect([entry.actor, entry.actor_source, entry.outcome]).toEqual(['user:alice', 'GITHUB_USER_LOGIN', 'refused']);
  expect(entry.denials.map((d) => d.rule)).toContain('journal/own-ref');
  expect(git(r.bare, ['rev-parse', '--verify', '-q', 'refs/gatos/audit/policy'], { allowFailure: true }).status).not.toBe(0);
});
