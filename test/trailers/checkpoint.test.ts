/** The state checkpoint trailer set: one call, every problem named. */
import fc from 'fast-check';
import { blake3, sha256 } from '../../src/canon/digest';
import { utf8 } from '../../src/core/bytes';
import { FOLD_ENGINE } from '../../src/fold/engine-id';
import { checkpointTrailerInputs, parseCheckpointTrailers, type CheckpointTrailers } from '../../src/trailers/checkpoint';
import { formatTrailers } from '../../src/trailers/format';
import { describeTrailerProblems, type TrailerProblem } from '../../src/trailers/problems';
import type { ObjectFormat } from '../../src/trailers/values';
import { tmpDir } from '../helpers/tmp';
import { git } from './git-oracle';

const B3 = 'blake3:' + '1f'.repeat(32);
const S256 = 'sha256:' + '2e'.repeat(32);
const OID1 = '3d'.repeat(20);
const OID2 = '4c'.repeat(20);
const OID3 = '5b'.repeat(20);

const VALID = [
  'checkpoint: finance',
  '',
  'Folded 12 events.',
  '',
  `State-Root: ${B3}`,
  `Ledger-Head: ${OID1}`,
  `Policy-Root: ${OID2}`,
  `Fold-Root: ${S256}`,
  `Fold-Engine: ${FOLD_ENGINE}`,
  '',
].join('\n');

function problems(message: string, format: ObjectFormat = 'sha1'): TrailerProblem[] {
  const r = parseCheckpointTrailers(message, format, { source: 'commit abc1234' });
  if (r.ok) throw new Error('expected problems');
  return r.error;
}

/** Replaces every `key:` line by `lines`, written where the first one was. */
function replaceLine(message: string, key: string, lines: string): string {
  let done = false;
  return message
    .split('\n')
    .flatMap((l) => {
      if (!l.startsWith(`${key}:`)) return [l];
      if (done) return [];
      done = true;
      return [lines];
    })
    .join('\n');
}

describe('parseCheckpointTrailers', () => {
  it('reads the required set into typed values', () => {
    const r = parseCheckpointTrailers(VALID, 'sha1');
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.stateRoot).toEqual({ alg: 'blake3', bytes: new Uint8Array(32).fill(0x1f) });
    expect(r.value.ledgerHeads).toEqual([OID1]);
    expect(r.value.policyRoot).toBe(OID2);
    expect(r.value.foldRoot).toEqual({ alg: 'sha256', bytes: new Uint8Array(32).fill(0x2e) });
    expect(r.value.foldEngine.num).toBe('q32.32');
    expect(Object.keys(r.value).sort()).toEqual(['foldEngine', 'foldRoot', 'ledgerHeads', 'policyRoot', 'stateRoot']);
  });

  it('names every missing trailer at once, each with a location and a hint', () => {
    const ps = problems('checkpoint\n\nSome-Other: x\n');
    expect(ps.map((p) => [p.trailer, p.kind])).toEqual([
      ['State-Root', 'missing'],
      ['Ledger-Head', 'missing'],
      ['Policy-Root', 'missing'],
      ['Fold-Root', 'missing'],
      ['Fold-Engine', 'missing'],
    ]);
    for (const p of ps) {
      expect(p.code).toBe('TRAILER_INVALID');
      expect(p.location).toEqual({ file: 'commit abc1234', line: 4, column: 1 });
      expect(p.hint).toMatch(/^add a line '/);
    }
  });

  it('names every malformed value at once, pointing at the value', () => {
    const bad = [
      'checkpoint',
      '',
      `State-Root: ${S256}`,
      `Ledger-Head: ${OID1.slice(0, 12)}`,
      `Policy-Root: ${OID2.toUpperCase()}`,
      `Fold-Root: sha256:${'2E'.repeat(32)}`,
      'Fold-Engine: echo@0.1+elc@1.0.0+num=q32.32+rng=pcg32@1',
      'Policy-Code-Root: blake3:00',
      'Fold-Version: v2',
      'Fold-Math: float64',
      'Fold-RNG: pcg32',
      'Inputs-Root: sha256:00',
      'Ledger-Start: HEAD~3',
      '',
    ].join('\n');
    const ps = problems(bad);
    expect(ps.map((p) => p.trailer)).toEqual([
      'State-Root', 'Ledger-Head', 'Policy-Root', 'Fold-Root', 'Fold-Engine',
      'Policy-Code-Root', 'Fold-Version', 'Fold-Math', 'Fold-RNG', 'Inputs-Root', 'Ledger-Start',
    ]);
    expect(ps.every((p) => p.kind === 'malformed')).toBe(true);
    expect(ps[0]?.location).toEqual({ file: 'commit abc1234', line: 3, column: 13, length: S256.length });
    expect(ps[0]?.message).toMatch(/State-Root.*uses sha256, expected blake3/);
    const text = describeTrailerProblems(ps, bad);
    expect(text).toContain('commit abc1234:3:13: error: trailer \'State-Root\'');
    expect(text).toContain('    3 | State-Root: sha256:');
    expect(text).toContain('hint:');
    expect(text.split('\n').filter((l) => l.includes('[TRAILER_INVALID]'))).toHaveLength(11);
  });

  it('ignores unknown trailers and matches keys without regard to case', () => {
    const msg = VALID.replace('State-Root:', 'state-root:').replace('Fold-Engine:', 'FOLD-ENGINE:') + '';
    const withUnknown = msg.replace('Fold-Root:', 'X-Unknown: whatever\nReviewed-by: Bob <b@example.com>\nFold-Root:');
    expect(parseCheckpointTrailers(withUnknown, 'sha1').ok).toBe(true);
  });

  it('reads only the trailer block: roots in the body do not count', () => {
    const msg = `checkpoint\n\nState-Root: ${B3}\nsee above\n\nLedger-Head: ${OID1}\n`;
    expect(problems(msg).map((p) => p.trailer)).toEqual(['State-Root', 'Policy-Root', 'Fold-Root', 'Fold-Engine']);
  });

  it('refuses a repeated single-valued trailer, even with the same value', () => {
    const msg = VALID.replace(`Policy-Root: ${OID2}`, `Policy-Root: ${OID2}\nPolicy-Root: ${OID2}`).replace(`Fold-Root: ${S256}`, `Fold-Root: ${S256}\nfold-root: ${S256}`);
    const ps = problems(msg);
    expect(ps.map((p) => [p.trailer, p.kind])).toEqual([['Policy-Root', 'repeated'], ['Fold-Root', 'repeated']]);
    expect(ps[0]?.message).toMatch(/appears 2 times \(lines 7, 8\)/);
  });

  it('takes one Ledger-Head per journal, ascending, with an Inputs-Root', () => {
    const multi = replaceLine(VALID, 'Ledger-Head', `Ledger-Head: ${OID1}\nLedger-Head: ${OID3}`);
    expect(problems(multi).map((p) => [p.trailer, p.kind])).toEqual([['Inputs-Root', 'missing']]);
    const withInputs = multi.replace('Fold-Engine:', `Inputs-Root: ${B3}\nFold-Engine:`);
    const r = parseCheckpointTrailers(withInputs, 'sha1');
    expect(r.ok && r.value.ledgerHeads).toEqual([OID1, OID3]);
    expect(r.ok && r.value.inputsRoot).toEqual({ alg: 'blake3', bytes: new Uint8Array(32).fill(0x1f) });

    const unordered = replaceLine(withInputs, 'Ledger-Head', `Ledger-Head: ${OID3}\nLedger-Head: ${OID1}`);
    expect(problems(unordered).map((p) => [p.trailer, p.kind])).toEqual([['Ledger-Head', 'conflict']]);
    const duplicate = replaceLine(withInputs, 'Ledger-Head', `Ledger-Head: ${OID1}\nLedger-Head: ${OID1}`);
    expect(problems(duplicate).map((p) => [p.trailer, p.kind])).toEqual([['Ledger-Head', 'repeated']]);
    const withStart = withInputs.replace('Fold-Engine:', `Ledger-Start: ${OID2}\nFold-Engine:`);
    expect(problems(withStart).map((p) => [p.trailer, p.kind])).toEqual([['Ledger-Start', 'conflict']]);
  });

  it('requires Fold-Math and Fold-RNG to agree with Fold-Engine', () => {
    const ok = VALID.replace('Fold-Engine:', 'Fold-Math: fixed-q32.32@1.0\nFold-RNG: pcg32@1\nFold-Engine:');
    expect(parseCheckpointTrailers(ok, 'sha1').ok).toBe(true);
    const bad = VALID.replace('Fold-Engine:', 'Fold-Math: fixed-q16.16\nFold-RNG: pcg32@2\nFold-Engine:');
    expect(problems(bad).map((p) => [p.trailer, p.kind])).toEqual([['Fold-Math', 'conflict'], ['Fold-RNG', 'conflict']]);
  });

  it('checks commit ids against the object format the caller names', () => {
    expect(problems(VALID, 'sha256').map((p) => p.trailer)).toEqual(['Ledger-Head', 'Policy-Root']);
    const sha256Msg = VALID.replace(OID1, 'ab'.repeat(32)).replace(OID2, 'cd'.repeat(32));
    expect(parseCheckpointTrailers(sha256Msg, 'sha256').ok).toBe(true);
    expect(problems(sha256Msg, 'sha1').map((p) => p.trailer)).toEqual(['Ledger-Head', 'Policy-Root']);
  });

  it('refuses a value that a continuation line split', () => {
    const msg = VALID.replace(`State-Root: ${B3}`, `State-Root: ${B3.slice(0, 40)}\n ${B3.slice(40)}`);
    const ps = problems(msg);
    expect(ps.map((p) => [p.trailer, p.kind])).toEqual([['State-Root', 'malformed']]);
  });
});

const hex = (n: number) => fc.uint8Array({ minLength: n, maxLength: n }).map((b) => Buffer.from(b).toString('hex'));
const oid = (format: ObjectFormat) => hex(format === 'sha1' ? 20 : 32).filter((h) => !/^0+$/.test(h));
const digestOf = (alg: 'blake3' | 'sha256') => fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => ({ alg, bytes }));
const ver = fc.array(fc.nat(30), { minLength: 1, maxLength: 3 }).map((xs) => xs.join('.'));
const semver = fc.tuple(fc.nat(20), fc.nat(20), fc.nat(20)).map(([a, b, c]) => `${a}.${b}.${c}`);

function checkpointArb(format: ObjectFormat): fc.Arbitrary<CheckpointTrailers> {
  return fc
    .record({
      stateRoot: digestOf('blake3'),
      heads: fc.uniqueArray(oid(format), { minLength: 1, maxLength: 4 }),
      policyRoot: oid(format),
      foldRoot: digestOf('sha256'),
      echo: semver,
      elc: semver,
      rngVersion: ver,
      policyCodeRoot: fc.option(digestOf('sha256'), { nil: undefined }),
      foldVersion: fc.option(ver, { nil: undefined }),
      withMath: fc.boolean(),
      withRng: fc.boolean(),
      inputsRoot: digestOf('blake3'),
      ledgerStart: fc.option(oid(format), { nil: undefined }),
    })
    .map((r) => {
      const heads = [...r.heads].sort() as [string, ...string[]];
      const rng = { name: 'pcg32', version: r.rngVersion };
      return {
        stateRoot: r.stateRoot,
        ledgerHeads: heads,
        policyRoot: r.policyRoot,
        foldRoot: r.foldRoot,
        foldEngine: { echo: r.echo, elc: r.elc, num: 'q32.32', rng },
        ...(r.policyCodeRoot ? { policyCodeRoot: r.policyCodeRoot } : {}),
        ...(r.foldVersion !== undefined ? { foldVersion: r.foldVersion } : {}),
        ...(r.withMath ? { foldMath: { num: 'q32.32' } } : {}),
        ...(r.withRng ? { foldRng: rng } : {}),
        ...(heads.length > 1 ? { inputsRoot: r.inputsRoot } : r.ledgerStart ? { ledgerStart: r.ledgerStart } : {}),
      };
    });
}

describe('checkpoint trailers round trip', () => {
  it.each(['sha1', 'sha256'] as const)('format then parse gives the checkpoint back (%s, 300 random checkpoints)', (format) => {
    fc.assert(
      fc.property(checkpointArb(format), fc.constantFrom('checkpoint\n', 'checkpoint\n\nbody: with a colon\n', 'checkpoint\n\nReviewed-by: x\n'), (c, msg) => {
        const text = formatTrailers(msg, checkpointTrailerInputs(c));
        if (!text.ok) return false;
        const back = parseCheckpointTrailers(text.value, format);
        expect(back).toEqual({ ok: true, value: c });
        return true;
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it.each(['sha1', 'sha256'] as const)('survives a real commit in a %s repository, and git reads the same trailers', (format) => {
    const repo = tmpDir('gatos-trailers-repo-');
    git(repo, ['init', '-q', `--object-format=${format}`]);
    git(repo, ['commit', '-q', '--allow-empty', '-m', 'root']);
    const head = git(repo, ['rev-parse', 'HEAD']).trim();
    const c: CheckpointTrailers = {
      stateRoot: { alg: 'blake3', bytes: blake3(utf8('state')) },
      ledgerHeads: [head],
      policyRoot: head,
      foldRoot: { alg: 'sha256', bytes: sha256(utf8('fold')) },
      foldEngine: { echo: '0.1.0', elc: '1.0.0', num: 'q32.32', rng: { name: 'pcg32', version: '1' } },
      foldMath: { num: 'q32.32' },
    };
    const msg = formatTrailers('checkpoint: finance\n\nFolded the ledger.\n', checkpointTrailerInputs(c));
    if (!msg.ok) throw new Error(msg.error.message);
    git(repo, ['commit', '-q', '--allow-empty', '--cleanup=verbatim', '-F', '-'], msg.value);
    const raw = git(repo, ['cat-file', 'commit', 'HEAD']);
    const stored = raw.slice(raw.indexOf('\n\n') + 2);
    expect(stored).toBe(msg.value);
    expect(parseCheckpointTrailers(stored, format)).toEqual({ ok: true, value: c });
    const gitView = git(repo, ['log', '-1', '--format=%(trailers:only,unfold)']).trimEnd();
    expect(gitView).toBe(checkpointTrailerInputs(c).map((t) => `${t.key}: ${t.value}`).join('\n'));
  });
});
