/**
 * The path of a ref, as the seed writes journals in `when: { path: ... }`
 * and in the `labels:` table: the ref name without its `refs/` prefix
 * (`refs/gatos/journal/finance/user/alice` has the path
 * `gatos/journal/finance/user/alice`, matched by `gatos/journal/finance/**`).
 *
 * pathGlobProblem tells the compiler when a path glob can match no ref the
 * gate decides: every ref the gate lets through under `refs/gatos/` has one
 * of the shapes below (src/gate/ref-class.ts refuses the rest), so a glob
 * under `gatos/` that fits none of them, such as the changed-file glob
 * `gatos/journal/finance/2024/*.json`, is a rule that never applies. Pure.
 */
import { globMatcher, hasWildcard } from '../core/glob';
import { nameProblem } from '../actors';
import { ACTOR_KINDS } from './schema';

/** `refs/` plus the path: what a path glob is matched against. */
export const REF_PATH_PREFIX = 'refs/';

/** One segment of a GATOS ref shape. */
type Part = { readonly lit: string } | 'name' | 'hex64' | 'any';

const GATOS_SHAPES: readonly (readonly Part[])[] = [
  ...ACTOR_KINDS.map((kind): readonly Part[] => [{ lit: 'gatos' }, { lit: 'journal' }, 'name', { lit: kind }, 'name']),
  [{ lit: 'gatos' }, { lit: 'state' }, 'name'],
  [{ lit: 'gatos' }, { lit: 'policies' }, { lit: 'active' }],
  [{ lit: 'gatos' }, { lit: 'policies' }, 'hex64'],
];
const NAME_CHARS = /^[a-z0-9._-]*$/;

/** Why a path glob can match no ref the gate decides, or undefined when it can match one. */
export function pathGlobProblem(glob: string): string | undefined {
  const segs = glob.split('/');
  if (segs.some((s) => s === '')) return 'a ref name has no empty segment (no leading, trailing or doubled /)';
  if (segs[0] === 'refs') return "a path is the ref name without 'refs/' (the path of refs/heads/main is heads/main)";
  if (segs[0] !== 'gatos') return undefined;
  const all = [...GATOS_SHAPES, ...auditShapes(segs.length)];
  if (all.some((sh) => fits(segs, 0, sh, 0))) return undefined;
  return 'GATOS refs are gatos/journal/<ns>/<kind>/<name>, gatos/state/<ns>, gatos/policies/<active or bundle id> and gatos/audit/...';
}

function auditShapes(n: number): Part[][] {
  const out: Part[][] = [];
  for (let k = 1; k <= Math.max(1, n); k++) out.push([{ lit: 'gatos' }, { lit: 'audit' }, ...Array<Part>(k).fill('any')]);
  return out;
}

function fits(g: readonly string[], gi: number, shape: readonly Part[], si: number): boolean {
  if (gi === g.length) return si === shape.length;
  const seg = g[gi] as string;
  if (seg === '**') {
    for (let k = si; k <= shape.length; k++) if (fits(g, gi + 1, shape, k)) return true;
    return false;
  }
  const part = shape[si];
  if (part === undefined || !segmentFits(seg, part)) return false;
  return fits(g, gi + 1, shape, si + 1);
}

/** Whether one glob segment (no '**') can match some segment of the given kind; lenient where it cannot be sure. */
function segmentFits(seg: string, part: Part): boolean {
  if (typeof part === 'object') return globMatcher(seg)(part.lit);
  if (part === 'any') return true;
  const literal = seg.replace(/[*?]/g, '');
  if (part === 'hex64') return /^[0-9a-f]*$/.test(literal) && (seg.includes('*') ? literal.length <= 64 : seg.length === 64);
  if (!NAME_CHARS.test(literal)) return false;
  return hasWildcard(seg) || nameProblem(seg) === undefined;
}
