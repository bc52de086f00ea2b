/** The git identity of an actor's commits: `user:alice <alice@user.actors.gatos.invalid>` at a given time, UTC. Pure. */
import type { Identity } from '../git';
import { parseActor } from './actor';

export function actorIdentity(actor: string, seconds: number): Identity {
  const a = parseActor(actor);
  const email = a.ok ? `${a.value.name}@${a.value.kind}.actors.gatos.invalid` : 'unknown@actors.gatos.invalid';
  return { name: actor, email, seconds, tz: '+0000' };
}
