/**
 * Our trailer parser and formatter against the real `git interpret-trailers`
 * on the same messages: every hand-written awkward case plus a seeded corpus.
 */
// Modules, not the index: these tests need nothing that pulls in multiformats.
import { formatTrailers, type TrailerInput } from '../../src/trailers/format';
import { parseTrailers } from '../../src/trailers/parse';
import { AWKWARD, generatedCorpus, type CorpusEntry } from './corpus';
import { gitAdd, gitParse } from './git-oracle';

const CORPUS: CorpusEntry[] = [...AWKWARD, ...generatedCorpus(260)];

function ourParse(message: string, opts?: { commentChar?: string; divider?: boolean }): string {
  return parseTrailers(message, opts).map((t) => `${t.key}: ${t.value}\n`).join('');
}

function mismatches(run: (e: CorpusEntry) => { ours: string; git: string }): string[] {
  const bad: string[] = [];
  for (const e of CORPUS) {
    const { ours, git } = run(e);
    if (ours !== git) bad.push(`${e.name}: message ${JSON.stringify(e.message)}\n  git:  ${JSON.stringify(git)}\n  ours: ${JSON.stringify(ours)}`);
  }
  return bad;
}

describe('trailers: differential against git interpret-trailers', () => {
  it(`parse equals git --parse on the whole corpus`, () => {
    expect(CORPUS.length).toBeGreaterThanOrEqual(200);
    let withTrailers = 0;
    const bad = mismatches((e) => {
      const git = gitParse(e.message);
      if (git !== '') withTrailers++;
      return { ours: ourParse(e.message), git };
    });
    console.log(`[trailers] parse: ${CORPUS.length - bad.length}/${CORPUS.length} messages equal git interpret-trailers --parse (${AWKWARD.length} hand-written, ${CORPUS.length - AWKWARD.length} generated; git finds trailers in ${withTrailers})`);
    expect(bad).toEqual([]);
  });

  it('parse equals git with core.commentChar=; and with --no-divider', () => {
    const sample = CORPUS.filter((_, i) => i % 3 === 0);
    const bad: string[] = [];
    for (const e of sample) {
      for (const opts of [{ commentChar: ';' }, { divider: false }]) {
        const ours = ourParse(e.message.replace(/#/g, ';'), opts);
        const git = gitParse(e.message.replace(/#/g, ';'), opts);
        if (ours !== git) bad.push(`${e.name} ${JSON.stringify(opts)}: git ${JSON.stringify(git)} ours ${JSON.stringify(ours)}`);
      }
    }
    console.log(`[trailers] parse with options: ${sample.length * 2 - bad.length}/${sample.length * 2} runs equal git`);
    expect(bad).toEqual([]);
  });

  const ADDITIONS: readonly (readonly TrailerInput[])[] = [
    [{ key: 'Key', value: 'value' }],
    [{ key: 'Signed-off-by', value: 'Alice Example <alice@example.com>' }],
    [{ key: 'State-Root', value: 'blake3:' + 'a'.repeat(64) }, { key: 'Ledger-Head', value: '1'.repeat(40) }, { key: 'ledger-head', value: '1'.repeat(40) }],
    [{ key: 'Sign', value: 'value' }, { key: 'Empty', value: '' }],
  ];

  it('formatTrailers equals git --trailer on the whole corpus', () => {
    let runs = 0;
    const bad: string[] = [];
    CORPUS.forEach((e, i) => {
      const add = ADDITIONS[i % ADDITIONS.length] as readonly TrailerInput[];
      const r = formatTrailers(e.message, add);
      if (!r.ok) throw new Error(r.error.message);
      const git = gitAdd(e.message, add);
      runs++;
      if (r.value !== git) bad.push(`${e.name} + ${JSON.stringify(add)}: message ${JSON.stringify(e.message)}\n  git:  ${JSON.stringify(git)}\n  ours: ${JSON.stringify(r.value)}`);
    });
    console.log(`[trailers] format: ${runs - bad.length}/${runs} messages equal git interpret-trailers --trailer`);
    expect(bad).toEqual([]);
  });
});
