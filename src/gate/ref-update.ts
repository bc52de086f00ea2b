/**
 * Ref updates as git hands them to a hook, and what kind of move each is.
 * pre-receive reads `<old> <new> <ref>` lines on stdin; update gets the same
 * three as arguments (in the order ref, old, new). Pure.
 */
import { isObjectId, isZeroId, type ObjectFormat } from '../core/object-id';
import { err, gateError, ok, type Result } from '../core/result';

export interface RefUpdate {
  readonly ref: string;
  readonly oldId: string;
  readonly newId: string;
}

/** What an update does to its ref. `write` is a fast-forward (old is an ancestor of new). */
export type UpdateKind = 'create' | 'delete' | 'write' | 'force' | 'noop';

export function updateKind(u: RefUpdate, fastForward: boolean): UpdateKind {
  if (isZeroId(u.oldId) && isZeroId(u.newId)) return 'noop';
  if (isZeroId(u.oldId)) return 'create';
  if (isZeroId(u.newId)) return 'delete';
  if (u.oldId === u.newId) return 'noop';
  return fastForward ? 'write' : 'force';
}

/** One checked update; every id must be a full id of the repository's format. */
export function checkUpdate(format: ObjectFormat, ref: string, oldId: string, newId: string, where: string): Result<RefUpdate> {
  // git's own rule: no ASCII control character, space or DEL in a ref name. Other bytes (Unicode spaces, bytes that are not
  // UTF-8, read losslessly by the hooks) are names git allows: the policy decides them, the audit records them.
  if (!ref.startsWith('refs/') || [...ref].some((c) => c <= ' ' || c === '\x7f')) {
    return err(gateError('GATE_ERROR', `${where}: ${JSON.stringify(ref)} is not a full ref name`, { hint: 'git passes full ref names such as refs/heads/main' }));
  }
  for (const [name, id] of [['old', oldId], ['new', newId]] as const) {
    if (!isObjectId(format, id)) {
      return err(gateError('GATE_ERROR', `${where}: the ${name} id ${JSON.stringify(id)} is not a ${format} object id`, { hint: `a ${format} repository uses ${format === 'sha1' ? 40 : 64} hex digits` }));
    }
  }
  return ok({ ref, oldId, newId });
}

/** Parses pre-receive's stdin. A malformed line refuses the whole input (fail closed). */
export function parseUpdateLines(format: ObjectFormat, text: string): Result<RefUpdate[]> {
  const out: RefUpdate[] = [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  // git runs pre-receive only when it has an update to feed it: empty input means something read or cut git's
  // stdin before the gate (a dispatcher running another hook first), and deciding "nothing to check" would accept
  // whatever the push holds.
  if (lines.length === 0) {
    return err(gateError('GATE_ERROR', 'no ref update on stdin: git gives pre-receive at least one, so something before the gate read or cut its input', { hint: 'operator: a hook dispatcher must give every hook its own copy of git\'s stdin (docs/hosts/)' }));
  }
  for (let i = 0; i < lines.length; i++) {
    const parts = (lines[i] as string).split(' ');
    if (parts.length !== 3) {
      return err(gateError('GATE_ERROR', `stdin line ${i + 1}: expected '<old> <new> <ref>', found ${JSON.stringify(lines[i])}`));
    }
    const u = checkUpdate(format, parts[2] as string, parts[0] as string, parts[1] as string, `stdin line ${i + 1}`);
    if (!u.ok) return u;
    out.push(u.value);
  }
  return ok(out);
}
