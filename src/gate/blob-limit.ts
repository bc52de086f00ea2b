/**
 * The blob-size limit (`gatos.maxBlobBytes`): every blob new to the
 * repository in a push must be at most that many bytes, on every ref. It is
 * a gate invariant rather than a policy rule because the request context
 * carries paths, not sizes, and because a limit the policy could forget is no
 * limit on a host whose disk it protects. Pure.
 */
import type { Denial } from './decide';
import type { BlobFact } from './facts';
import { RULES } from './rules';

/** How many over-limit blobs one update lists by name; the rest are counted. */
const LISTED = 5;

export function blobSizeDenials(ref: string, blobs: readonly BlobFact[] | undefined, limit: number | undefined): Omit<Denial, 'enforced'>[] {
  if (limit === undefined || blobs === undefined) return [];
  const over = blobs.filter((b) => b.size > limit).sort((a, b) => b.size - a.size || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (over.length === 0) return [];
  const named = over.slice(0, LISTED).map((b) => `${b.path} (${b.size} bytes, blob ${b.id})`);
  const more = over.length > LISTED ? ` and ${over.length - LISTED} more` : '';
  return [{ ref, code: 'POLICY_DENY', ruleId: RULES.blobSize.id, reason: `${over.length} new blob${over.length === 1 ? '' : 's'} above the limit of ${limit} bytes: ${named.join(', ')}${more}`, hint: RULES.blobSize.hint }];
}
