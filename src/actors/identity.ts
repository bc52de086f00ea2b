/** The git identity of an actor's commits: `user:alice <alice@user.actors.gatos.invalid>` at a given time, UTC. Pure. */
import { parseActor } from './actor';

/** A commit's author or committer; the same shape as the git adapter's `Identity` (src/git/parse-commit.ts), which the core may not import. */
export interface ActorIdentity {
  readonly name: string;
  readonly email: string;
  /** Seconds since the epoch. */
  readonly seconds: number;
  /** The offset, e.g. "+0000". */
  readonly tz: string;
}

export function actorIdentity(actor: string, seconds: number): ActorIdentity {
  const a = parseActor(actor);
  const email = a.ok ? `${a.value.name}@${a.value.kind}.actors.gatos.invalid` : 'unknown@actors.gatos.invalid';
  return { name: actor, email, seconds, tz: '+0000' };
}
