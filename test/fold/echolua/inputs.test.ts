/**
 * The short input form (issue 15): `inputs = { "gatos/journal/t/**" }` means
 * refs/gatos/journal/t/**, as the FAQ's path form does in YAML folds; an input
 * that can name no journal is a compile error, never a fold that silently
 * matches nothing.
 */
import { compileFoldSource } from '../../../src/fold/compile';
import { loadCompiledFold } from '../../../src/fold/load';
import { ev } from '../events';

const fold = (inputs: string): string => `inputs = { ${inputs} }
function init() return { n = 0 } end
function step(s, e) s.n = s.n + 1 return s end
function emit(s) return { ["state/n.json"] = { n = s.n } } end
`;

describe('EchoLua inputs', () => {
  test('"gatos/journal/t/**" folds the events of refs/gatos/journal/t/...', () => {
    const c = compileFoldSource(fold('"gatos/journal/t/**"'), 'folds/n.lua');
    if (!c.ok) throw new Error(c.diagnostics.map((d) => d.message).join('\n'));
    const rt = loadCompiledFold(c.bytes);
    if (!rt.ok) throw new Error(rt.error.message);
    expect(rt.value.inputs).toEqual(['refs/gatos/journal/t/**']);
    const s = rt.value.step(rt.value.init(), [ev(1, 'x', {}), ev(2, 'x', {}, 'refs/gatos/journal/other/user/bob')]);
    if (!s.ok) throw new Error(s.error.message);
    const files = rt.value.emit(s.value);
    expect(files.ok && Buffer.from(files.value.get('state/n.json') ?? []).toString()).toBe('{"n":1}');
  });

  test('both spellings compile to the same inputs', () => {
    const a = compileFoldSource(fold('"gatos/journal/t/**"'), 'folds/n.lua');
    const b = compileFoldSource(fold('"refs/gatos/journal/t/**"'), 'folds/n.lua');
    const inputsOf = (c: typeof a): readonly string[] => {
      if (!c.ok) throw new Error('compile failed');
      const rt = loadCompiledFold(c.bytes);
      return rt.ok ? rt.value.inputs : [];
    };
    expect(inputsOf(a)).toEqual(inputsOf(b));
  });

  test.each([['"refs/heads/**"'], ['"journal/t/**"'], ['"refs/gatos/state/t"']])('%s is a located compile error', (input) => {
    const c = compileFoldSource(fold(input), 'folds/n.lua');
    expect(c.ok).toBe(false);
    const d = c.ok ? undefined : c.diagnostics[0];
    expect(d).toMatchObject({ code: 'fold-shape', location: { line: 1, column: 12 } });
    expect(d?.message).toContain('is not under refs/gatos/journal/');
  });
});
