/**
 * The labels of a ref under a policy: the union of the labels of every
 * entry of the policy's `labels:` table whose path glob matches the ref's
 * path (the ref without `refs/`). The gate sends them as the request's
 * `labels` (docs/rgs.md, "Labels"). Pure.
 */
import type { CompiledPolicy } from './load';

/** Sorted, without duplicates; empty when nothing matches. */
export function labelsOf(policy: CompiledPolicy, ref: string): string[] {
  const out = new Set<string>();
  for (const entry of policy.labels) if (entry.matches(ref)) for (const l of entry.labels) out.add(l);
  return [...out].sort();
}
