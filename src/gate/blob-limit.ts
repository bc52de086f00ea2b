/**
 * The object-size limit (`gatos.maxObjectBytes`, older name
 * `gatos.maxBlobBytes`): every object new to the repository in a push must
 * be at most that many bytes, on every ref, whatever its type and whatever
 * reaches it: a blob under a path, a blob that is itself a ref tip or sits
 * behind a tag, a commit with a huge header, a tag with a huge message. It
 * is a gate invariant rather than a policy rule because the request context
 * carries paths, not sizes, and because a limit the policy could forget is
 * no limit on a host whose disk it protects. Pure.
 */
import type { Denial } from './decide';
import type { ObjectFact } from './facts';
import { RULES } from './rules';

/** How many over-limit objects one update lists by name; the rest are counted. */
const LISTED = 5;

function named(o: ObjectFact): string {
  return o.path !== undefined ? `${o.path} (${o.size} bytes, ${o.type} ${o.id})` : `${o.type} ${o.id} (${o.size} bytes, named by no path)`;
}

export function objectSizeDenials(ref: string, objects: readonly ObjectFact[] | undefined, limit: number | undefined): Omit<Denial, 'enforced'>[] {
  if (limit === undefined || objects === undefined) return [];
  const key = (o: ObjectFact): string => o.path ?? '';
  const over = objects.filter((o) => o.size > limit).sort((a, b) => b.size - a.size || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  if (over.length === 0) return [];
  const types = new Set(over.map((o) => o.type));
  const noun = types.size === 1 ? (over[0] as ObjectFact).type : 'object';
  const listed = over.slice(0, LISTED).map(named);
  const more = over.length > LISTED ? ` and ${over.length - LISTED} more` : '';
  return [{ ref, code: 'POLICY_DENY', ruleId: RULES.objectSize.id, reason: `${over.length} new ${noun}${over.length === 1 ? '' : 's'} above the limit of ${limit} bytes: ${listed.join(', ')}${more}`, hint: RULES.objectSize.hint }];
}
