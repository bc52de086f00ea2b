/**
 * What the bus suites share: actors' clones in a GateWorld driven with the
 * built CLI, pushes that must pass, a sync that drops local bus refs a
 * refused push left behind, the last audit refusal, and the library opened
 * on an actor's clone.
 */
import path from 'node:path';
import { openRepo, type GitRepo } from '../../src/git';
import type { GateWorld, Run } from './gate-world';

export const BUS_REFS = ['refs/gatos/mbus/*', 'refs/gatos/mbus-ack/*', 'refs/gatos/mbus-config/*'];

export function busActors(world: () => GateWorld, dir: Record<string, string>) {
  const ok = (r: Run, what: string): Run => {
    if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
    return r;
  };
  const w = () => world();
  return {
    ok,
    cli: (actor: string, args: string[], env: Record<string, string> = {}) => ok(w().gatos(dir[actor] as string, [...args, '--as', actor], env), `gatos ${args.join(' ')}`),
    accepted: (actor: string, refs = BUS_REFS) => {
      const r = w().push(dir[actor] as string, actor, refs);
      if (r.status !== 0 || r.stderr.includes('DENIED')) throw new Error(`push by ${actor} was refused:\n${r.stderr}`);
    },
    /** Fetch the server's bus refs over the local ones (a refused push leaves local commits behind). */
    sync: (actor: string) => {
      const d = dir[actor] as string;
      const local = w().git(d, ['for-each-ref', '--format=%(refname)', 'refs/gatos/mbus', 'refs/gatos/mbus-ack', 'refs/gatos/mbus-config']).stdout.split('\n').filter(Boolean);
      for (const ref of local) w().git(d, ['update-ref', '-d', ref]);
      w().fetch(d, actor);
    },
    /** The audit entry of the last push, with its denials by ref. */
    lastRefusal: () => {
      const e = w().auditEntries().at(-1);
      if (!e || e.outcome !== 'refused') throw new Error('the last audit entry is not a refusal');
      return e;
    },
    withRepo: async <T>(actor: string, f: (repo: GitRepo) => Promise<T>): Promise<T> => {
      const opened = await openRepo(path.join(dir[actor] as string, '.git'), { env: w().env() });
      if (!opened.ok) throw new Error(opened.error.message);
      try {
        return await f(opened.value);
      } finally {
        await opened.value.close();
      }
    },
  };
}
