/**
 * Everything under gatos/trust/ read and checked at once, from the
 * workspace or a bundle tree alike: the graph, every grant and revocation
 * (each named by its content id). Any bad file refuses the whole set. Pure.
 */
import { err, gateError, ok, type Result } from '../core/result';
import { readGraph, type TrustGraph } from './graph';
import { Capabilities, readGrant, readRevocation, type Grant, type Revocation } from './grants';

export interface TrustSet {
  readonly graph: TrustGraph;
  readonly grants: readonly Grant[];
  readonly revocations: readonly Revocation[];
  readonly caps: Capabilities;
}

const GRANT_FILE = /^grants\/([0-9a-f]{64})\.json$/;
const REVOCATION_FILE = /^revocations\/([0-9a-f]{64})\.json$/;

/** `files`: paths relative to gatos/trust/ -> bytes. */
export function readTrustSet(files: ReadonlyMap<string, Uint8Array>, prefix = 'gatos/trust/'): Result<TrustSet> {
  const graphBytes = files.get('graph.json');
  if (!graphBytes) return err(gateError('NOT_FOUND', `${prefix}graph.json is missing`, { hint: 'run gatos init, then gatos trust add' }));
  const graph = readGraph(graphBytes, `${prefix}graph.json`);
  if (!graph.ok) return graph;
  const grants: Grant[] = [];
  const revocations: Revocation[] = [];
  for (const p of [...files.keys()].sort()) {
    if (p === 'graph.json' || p.endsWith('/.gitkeep') || p === '.gitkeep') continue;
    const bytes = files.get(p) as Uint8Array;
    const g = GRANT_FILE.exec(p);
    const r = REVOCATION_FILE.exec(p);
    if (g) {
      const grant = readGrant(bytes, `${prefix}${p}`, graph.value, g[1]);
      if (!grant.ok) return grant;
      grants.push(grant.value);
    } else if (r) {
      const rev = readRevocation(bytes, `${prefix}${p}`, graph.value, r[1]);
      if (!rev.ok) return rev;
      revocations.push(rev.value);
    } else {
      return err(gateError('ENCODING_INVALID', `${prefix}${p} is not a trust file`, { hint: 'gatos/trust/ holds graph.json, grants/<id>.json and revocations/<id>.json only' }));
    }
  }
  return ok({ graph: graph.value, grants, revocations, caps: new Capabilities(graph.value, grants, revocations) });
}
