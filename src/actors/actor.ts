/**
 * Actors (`user:alice`, `agent:ci`, `service:billing`) and their reversible
 * encoding into ref path segments (`user/alice`). ':' cannot appear in a ref
 * name, so the kind and name become two segments. Names are lowercase only:
 * refs are files on case-insensitive file systems, where two names differing
 * in case would be one ref. Pure.
 */
import { err, gateError, ok, type Result } from '../core/result';

export const ACTOR_KINDS = ['user', 'agent', 'service'] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

export interface Actor {
  readonly kind: ActorKind;
  readonly name: string;
  /** `<kind>:<name>` */
  readonly id: string;
}

export const MAX_NAME_LENGTH = 64;
const NAME_RE = /^[a-z0-9][a-z0-9._-]*$/;

/**
 * Why `name` cannot be one ref segment (an actor name, a namespace, a fold
 * id, a group), or undefined when it can. The rules keep every name inside
 * its directory (no '.', '..', leading dot) and clear of git's own refusals
 * ('..' anywhere, a '.lock' ending, a trailing '.').
 */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'it is empty';
  if (name.length > MAX_NAME_LENGTH) return `it is longer than ${MAX_NAME_LENGTH} characters`;
  if (!NAME_RE.test(name)) {
    return /[A-Z]/.test(name) ? 'it has upper-case letters (names are lowercase, so two names never share a ref on a case-insensitive disk)' : "it must start with a-z or 0-9 and hold only a-z, 0-9, '.', '_' and '-'";
  }
  if (name.includes('..')) return "it contains '..'";
  if (name.endsWith('.')) return "it ends with '.'";
  if (name.endsWith('.lock')) return "it ends with '.lock'";
  return undefined;
}

const NAME_HINT = "use 1-64 characters from a-z 0-9 . _ -, starting with a letter or digit, e.g. 'alice' or 'ci-bot'";

/** Checks a name used as one ref segment; `what` says what it names ("namespace", "fold id"). */
export function checkName(name: string, what: string): Result<string> {
  const problem = nameProblem(name);
  if (problem) return err(gateError('VALUE_INVALID', `${what} ${JSON.stringify(name)} is not valid: ${problem}`, { hint: NAME_HINT }));
  return ok(name);
}

export function isActorKind(kind: string): kind is ActorKind {
  return (ACTOR_KINDS as readonly string[]).includes(kind);
}

export function parseActor(text: string): Result<Actor> {
  const colon = text.indexOf(':');
  if (colon < 0) return err(gateError('VALUE_INVALID', `${JSON.stringify(text)} is not an actor: expected <kind>:<name>`, { hint: "write e.g. 'user:alice', 'agent:ci' or 'service:billing'" }));
  const kind = text.slice(0, colon);
  const name = text.slice(colon + 1);
  if (!isActorKind(kind)) {
    return err(gateError('VALUE_INVALID', `actor ${JSON.stringify(text)} has the unknown kind ${JSON.stringify(kind)}`, { hint: `the kinds are ${ACTOR_KINDS.join(', ')}` }));
  }
  const problem = nameProblem(name);
  if (problem) return err(gateError('VALUE_INVALID', `actor ${JSON.stringify(text)} has an invalid name: ${problem}`, { hint: NAME_HINT }));
  return ok({ kind, name, id: `${kind}:${name}` });
}

/** `user:alice` -> `user/alice`. */
export function actorToPath(actor: Actor): string {
  return `${actor.kind}/${actor.name}`;
}

/** `user/alice` -> `user:alice`; anything no valid actor encodes to is refused. */
export function actorFromPath(path: string): Result<Actor> {
  const parts = path.split('/');
  if (parts.length !== 2) {
    return err(gateError('VALUE_INVALID', `${JSON.stringify(path)} is not an actor path: expected <kind>/<name>`, { hint: "an actor path is two segments, e.g. 'user/alice'" }));
  }
  return parseActor(`${parts[0]}:${parts[1]}`);
}
