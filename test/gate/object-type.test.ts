/**
 * The pure half of issue 10 class 1: gatos.tipTypes parsing, the shapes
 * each ref takes (refs/gatos/** fixed to commits whatever the config says),
 * and the denials decide adds for a tip of the wrong shape or a walk that
 * lists no commit on a GATOS ref.
 */
import { readGateConfig, tipShapes, type GateConfig } from '../../src/gate/config';
import { objectTypeDenials, shapeOf } from '../../src/gate/object-type';
import { classifyRef } from '../../src/gate/ref-class';
import type { UpdateFacts } from '../../src/gate/facts';

const Z = '0'.repeat(40);
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function config(entries: [string, string][] = []): GateConfig {
  const c = readGateConfig(entries);
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
}

function facts(ref: string, oldId: string, newId: string, tip: UpdateFacts['tip'], commits: string[] = [newId], fastForward = oldId !== Z): UpdateFacts {
  return { update: { ref, oldId, newId }, fastForward, commits: commits.map((id) => ({ id, parents: 1, paths: [], signed: false })), events: [], checkpoints: [], ...(tip ? { tip } : {}) };
}

describe('gatos.tipTypes', () => {
  test('entries are read in order, `tag` means `tag:commit`, bad entries refuse every push', () => {
    const c = config([['gatos.tiptypes', 'refs/tags/** tag'], ['gatos.tiptypes', 'refs/blobs/** blob, tag:blob']]);
    expect(c.tipTypes.map((e) => [e.glob, e.shapes])).toEqual([['refs/tags/**', ['tag:commit']], ['refs/blobs/**', ['blob', 'tag:blob']]]);
    for (const bad of ['refs/tags/**', 'refs/tags/** tag:tag', 'refs/gatos/** blob', 'refs/gatos/state/x tree', 'heads/x commit', 'refs/tags/** commit,bogus', 'refs//x commit']) {
      const r = readGateConfig([['gatos.tiptypes', bad]]);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('GATE_ERROR');
    }
  });

  test('refs/gatos/** takes commits whatever the config says; the last matching entry wins elsewhere', () => {
    const c = config([['gatos.tiptypes', 'refs/** blob'], ['gatos.tiptypes', 'refs/tags/** commit']]);
    expect(tipShapes('refs/gatos/state/x', c).shapes).toEqual(['commit']);
    expect(tipShapes('refs/gatos/policies/active', c).shapes).toEqual(['commit']);
    expect(tipShapes('refs/tags/v1', c).shapes).toEqual(['commit']);
    expect(tipShapes('refs/heads/main', c).shapes).toEqual(['blob']);
    const d = config();
    expect(tipShapes('refs/tags/v1', d).shapes).toEqual(['commit', 'tag:commit']);
    expect(tipShapes('refs/heads/main', d).shapes).toEqual(['commit']);
    expect(tipShapes('refs/notes/commits', d).shapes).toEqual(['commit']);
  });

  test('shapes of type chains; a tag of a tag has none', () => {
    expect(shapeOf(['commit'])).toBe('commit');
    expect(shapeOf(['tag', 'blob'])).toBe('tag:blob');
    expect(shapeOf(['tag', 'tag'])).toBeUndefined();
    expect(shapeOf(['tag'])).toBeUndefined();
    expect(shapeOf([])).toBeUndefined();
  });
});

describe('objectTypeDenials', () => {
  const c = config();
  const deny = (f: UpdateFacts) => objectTypeDenials(f, classifyRef(f.update.ref), c);

  test('commits pass on every plane; a tag of a commit passes on refs/tags/** only', () => {
    expect(deny(facts('refs/gatos/state/x', Z, B, ['commit']))).toEqual([]);
    expect(deny(facts('refs/tags/v1', Z, B, ['tag', 'commit'], []))).toEqual([]);
    const d = deny(facts('refs/heads/main', Z, B, ['tag', 'commit']));
    expect(d.map((x) => [x.code, x.ruleId])).toEqual([['POLICY_DENY', 'gate/object-type']]);
    expect(d[0]?.reason).toBe(`${B} is an annotated tag of a commit; refs/heads/main takes a commit (default)`);
  });

  test('blobs, trees, tags of tags and tags of blobs are refused with the rule', () => {
    for (const [ref, tip] of [['refs/gatos/journal/f/user/a', ['blob']], ['refs/gatos/state/x', ['tree']], ['refs/gatos/policies/active', ['tag', 'commit']], ['refs/tags/x', ['tag', 'tag']], ['refs/tags/x', ['tag', 'blob']]] as const) {
      expect(deny(facts(ref, Z, B, tip, [])).map((x) => x.ruleId)).toEqual(['gate/object-type']);
    }
  });

  test('a GATOS create or fast-forward whose walk does not end at the tip is refused; deletes and no-ops have no tip', () => {
    expect(deny(facts('refs/gatos/state/x', Z, B, ['commit'], [])).map((x) => [x.code, x.ruleId])).toEqual([['GATE_ERROR', 'gate/read']]);
    expect(deny(facts('refs/gatos/state/x', A, B, ['commit'], [A])).map((x) => x.ruleId)).toEqual(['gate/read']);
    // Elsewhere an empty listing is legitimate (a branch created at an existing commit).
    expect(deny(facts('refs/heads/x', Z, B, ['commit'], []))).toEqual([]);
    // A rewind lists nothing; fast-forward-only refuses it by itself.
    expect(deny(facts('refs/gatos/state/x', A, B, ['commit'], [], false))).toEqual([]);
    expect(deny(facts('refs/gatos/state/x', A, Z, undefined, []))).toEqual([]);
    expect(deny(facts('refs/gatos/state/x', A, A, undefined, []))).toEqual([]);
  });

  test('a tip type never read refuses (fail closed), unless a read failure already speaks', () => {
    expect(deny(facts('refs/heads/x', Z, B, undefined)).map((x) => [x.code, x.ruleId])).toEqual([['GATE_ERROR', 'gate/read']]);
    expect(deny({ ...facts('refs/heads/x', Z, B, undefined), failure: { code: 'GIT_ERROR', reason: 'bad object' } })).toEqual([]);
  });
});
