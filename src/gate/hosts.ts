/**
 * The Git hosts the gate knows: where each one's dispatcher runs a
 * pre-receive hook and which environment variables it sets to name the
 * pusher. `gatos install --host <name>` picks the layout from here and
 * records `gatos.host`; the hooks read `gatos.host` to say, when no pusher
 * identity reached them, which variables the host should have set and where
 * its page is. Pure: names and text only (docs/hosts/<name>.md).
 */

export const HOSTS = ['plain', 'gitolite', 'gitlab', 'gitea', 'forgejo', 'ghes'] as const;
export type HostName = (typeof HOSTS)[number];

export function isHostName(s: string): s is HostName {
  return (HOSTS as readonly string[]).includes(s);
}

export interface HostProfile {
  readonly name: HostName;
  /** What operators call it. */
  readonly title: string;
  /**
   * The variables the host's dispatcher sets for the pusher, first set wins
   * (`gatos.actorEnv` under this host). Undefined: the template's own list.
   */
  readonly actorEnv?: readonly string[];
  /** The operator's page. */
  readonly doc: string;
}

/**
 * From each host's documentation (docs/hosts/<name>.md cites it):
 * gitolite-shell sets GL_USER; GitLab's Gitaly passes GL_USERNAME and GL_ID
 * (`user-<id>`, `key-<id>` for deploy keys) to server hooks; Gitea and
 * Forgejo set GITEA_PUSHER_NAME (Forgejo kept Gitea's names); GitHub
 * Enterprise Server sets GITHUB_USER_LOGIN.
 */
export const HOST_PROFILES: Readonly<Record<HostName, HostProfile>> = {
  plain: { name: 'plain', title: 'plain git (ssh forced commands, git http-backend, file://)', doc: 'docs/hosts/plain.md' },
  gitolite: { name: 'gitolite', title: 'gitolite3', actorEnv: ['GL_USER'], doc: 'docs/hosts/gitolite.md' },
  gitlab: { name: 'gitlab', title: 'GitLab (Gitaly server hooks)', actorEnv: ['GL_USERNAME', 'GL_ID'], doc: 'docs/hosts/gitlab.md' },
  gitea: { name: 'gitea', title: 'Gitea', actorEnv: ['GITEA_PUSHER_NAME'], doc: 'docs/hosts/gitea.md' },
  forgejo: { name: 'forgejo', title: 'Forgejo', actorEnv: ['GITEA_PUSHER_NAME'], doc: 'docs/hosts/forgejo.md' },
  ghes: { name: 'ghes', title: 'GitHub Enterprise Server', actorEnv: ['GITHUB_USER_LOGIN'], doc: 'docs/hosts/ghes.md' },
};

/** The refusal's words when no variable named the pusher. */
export function noIdentityReason(actorEnv: readonly string[], host: HostName | undefined): string {
  return `no pusher identity: the host set none of ${actorEnv.join(', ')}; see ${HOST_PROFILES[host ?? 'plain'].doc}`;
}
