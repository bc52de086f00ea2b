/** <repo> of the resource URIs on the server: gatos.repoName, else the bare repository's directory name (src/gate/resource.ts). Adapter. */
import type { GateConfig } from '../gate';
import { repoNameOf } from '../gate/resource';
import type { GitRepo } from '../git';

export function repoNameFor(repo: Pick<GitRepo, 'gitDir'>, config: Pick<GateConfig, 'repoName'>): string {
  return config.repoName ?? repoNameOf(repo.gitDir);
}
