/**
 * The gate scenarios' transports (test/helpers/gate-world.ts: GateTransport)
 * over real servers. A scenario world keeps its bare repository in its own
 * temporary folder; the server exposes one root, so each repository is
 * linked into it under a generated name. The actor `user:alice` is the host
 * user `alice`: over ssh:// her own key (the forced command says
 * GL_USER=alice), over http:// her login (the server says REMOTE_USER=alice),
 * handed to git by a credential helper so the remote URL is the same for
 * everyone, as on a real host.
 */
import { existsSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { GateTransport } from '../helpers/gate-world';
import type { GitRemote } from '../helpers/sshd';

/** Host users for the scenario actors (gate-world's ACTORS): user:<name> -> <name>. */
export const SCENARIO_USERS = ['root', 'alice', 'bob', 'carol', 'dave'] as const;

export interface ServedRoot {
  readonly transport: 'ssh' | 'http';
  readonly repoRoot: string;
  remote(user: string, repo: string): GitRemote;
  /** http only: the user's password, for the credential helper. */
  password?(user: string): string;
}

function hostUser(actor: string): string {
  const [kind, name] = actor.split(':');
  if (kind !== 'user' || name === undefined || !(SCENARIO_USERS as readonly string[]).includes(name)) throw new Error(`no host user for ${actor}`);
  return name;
}

/** Links `gitDir` into the served root once; returns its name there. */
function serve(root: ServedRoot, gitDir: string): string {
  const name = `${path.basename(path.dirname(gitDir))}-${path.basename(gitDir)}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const link = path.join(root.repoRoot, name.endsWith('.git') ? name : `${name}.git`);
  if (!existsSync(link)) symlinkSync(gitDir, link);
  return path.basename(link);
}

export function sshScenarioTransport(root: ServedRoot): GateTransport {
  return {
    name: 'ssh',
    url: (gitDir) => root.remote('root', serve(root, gitDir)).url,
    env: (actor) => root.remote(hostUser(actor), 'unused.git').env,
  };
}

export function httpScenarioTransport(root: ServedRoot): GateTransport {
  return {
    name: 'http',
    // No credentials in the URL: the credential helper below answers for whoever runs git.
    url: (gitDir) => root.remote('root', serve(root, gitDir)).url.replace(/\/\/[^@/]*@/, '//'),
    env: (actor) => {
      const user = hostUser(actor);
      const password = root.password?.(user);
      if (password === undefined) throw new Error('the http root must give passwords');
      return {
        ...root.remote(user, 'unused.git').env,
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'credential.helper',
        GIT_CONFIG_VALUE_0: `!f() { test "$1" = get && printf 'username=%s\\npassword=%s\\n' '${user}' '${password}'; }; f`,
      };
    },
  };
}
