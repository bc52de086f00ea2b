/**
 * verifyEvent's two shortcuts (reading event.cbor by path with the tree id
 * computed, and skipping the trailer parse when the message is exactly the
 * canonical one) must never change an answer. Each case below is a real
 * commit in a real repository, forged with stock git the way an attacker
 * would; it is verified with and without the shortcut and both answers must
 * be identical, success or the same code and message.
 */
import { execFileSync } from 'node:child_process';
import { verifyEvent } from '../../src/events';
import { eventTreeId } from '../../src/events/read';
import { openRepo, type GitRepo } from '../../src/git';
import { parseTime } from '../../src/trust';
import { FORMATS, git } from '../helpers/git';
import { Producer } from './producer-env';

describe.each(FORMATS)('event verification shortcuts (%s)', (format) => {
  const p = new Producer(format);
  let e1: { commit: string; ulid: string };
  let repo: GitRepo;
  let now: number;

  beforeAll(async () => {
    p.setup();
    e1 = p.event('user:bob', 'invoice.created', { id: 'inv-1', amount: 1200 }, ['--caps', 'journal:append']);
    const o = await openRepo(`${p.repo}/.git`, { env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
    if (!o.ok) throw new Error(o.error.message);
    repo = o.value;
    const t = parseTime(p.now, 'now');
    if (!t.ok) throw new Error(t.error.message);
    now = t.value;
  });
  afterAll(() => repo.close());

  const both = async (commit: string, journal: string | undefined = 'refs/gatos/journal/finance/user/bob') => {
    const fast = await verifyEvent(repo, commit, journal, { now });
    const slow = await verifyEvent(repo, commit, journal, { now, shortcut: false });
    return { fast, slow };
  };

  const raw = (): Buffer => Buffer.from(execFileSync('git', ['cat-file', 'blob', `${e1.commit}:event.cbor`], { cwd: p.repo }));
  const mktree = (lines: string): string => git(p.repo, ['mktree'], { input: lines }).stdout.trim();
  const blob = (content: Uint8Array | string): string => git(p.repo, ['hash-object', '-w', '--stdin'], { input: content }).stdout.trim();

  it('computes the event tree\'s id as git does, for the producer\'s blob and another', () => {
    for (const b of [p.git(['rev-parse', `${e1.commit}:event.cbor`]), blob('not an envelope')]) {
      expect(eventTreeId(format, b)).toBe(mktree(`100644 blob ${b}\tevent.cbor\n`));
    }
    expect(eventTreeId(format, 'not hex')).toBeUndefined();
  });

  it('accepts the producer\'s event both ways, with the same answer', async () => {
    const { fast, slow } = await both(e1.commit);
    expect(fast.ok).toBe(true);
    expect(fast).toEqual(slow);
  });

  const forgeries: [string, () => string][] = [
    ['a trailer removed', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/^Sig-Alg: ed25519\n/m, '') })],
    ['a trailer repeated', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/^(Fold-Root: .*)$/m, '$1\n$1') })],
    ['trailers reordered', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/^(Sig: .*)\n(Signer: .*)$/m, '$2\n$1') })],
    ['a trailer key in lower case', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/^Signer: /m, 'signer: ') })],
    ['the signature in upper-case hex', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/^(Sig: ed25519:)(.*)$/m, (_m, a: string, h: string) => a + h.toUpperCase()) })],
    ['a flipped signature digit', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/^(Sig: ed25519:)(.)/m, (_m, a: string, c: string) => a + (c === '0' ? '1' : '0')) })],
    ['a short signature', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/^(Sig: ed25519:[0-9a-f]{126})[0-9a-f]{2}$/m, '$1') })],
    ['another Policy-Root', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/^Policy-Root: .*$/m, `Policy-Root: ${'1'.repeat(format === 'sha1' ? 40 : 64)}`) })],
    ['a Policy-Root of the other format', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/^Policy-Root: .*$/m, `Policy-Root: ${'1'.repeat(format === 'sha1' ? 64 : 40)}`) })],
    ['another Event-CID', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/^(Event-CID: b)(.)/m, (_m, a: string, c: string) => a + (c === 'a' ? 'b' : 'a')) })],
    ['a changed subject', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/^invoice\.created/, 'invoice.paid') })],
    ['text after the trailers', () => p.forge(e1.commit, { message: `${p.message(e1.commit)}\nmore\n` })],
    ['a trailing space', () => p.forge(e1.commit, { message: p.message(e1.commit).replace(/\n$/, ' \n') })],
    ['the envelope changed under its trailers', () => {
      const b = raw();
      const i = b.indexOf(Buffer.from('inv-1'));
      b[i + 4] = '9'.charCodeAt(0);
      return p.forge(e1.commit, { tree: p.treeWith(e1.commit, 'event.cbor', b) });
    }],
    ['a second file beside event.cbor', () => p.forge(e1.commit, { tree: mktree(`100644 blob ${blob(raw())}\tevent.cbor\n100644 blob ${blob('x')}\textra.txt\n`) })],
    ['event.cbor executable', () => p.forge(e1.commit, { tree: mktree(`100755 blob ${blob(raw())}\tevent.cbor\n`) })],
    ['event.cbor a folder', () => p.forge(e1.commit, { tree: mktree(`040000 tree ${p.git(['rev-parse', `${e1.commit}^{tree}`])}\tevent.cbor\n`) })],
    ['event.cbor under another name', () => p.forge(e1.commit, { tree: mktree(`100644 blob ${blob(raw())}\tevent.cb0r\n`) })],
    ['an empty tree', () => p.forge(e1.commit, { tree: mktree('') })],
    ['trailing bytes after the envelope', () => p.forge(e1.commit, { tree: p.treeWith(e1.commit, 'event.cbor', Buffer.concat([raw(), Buffer.from([0])])) })],
  ];

  it.each(forgeries)('%s: the same refusal both ways', async (_name, make) => {
    const { fast, slow } = await both(make());
    expect(slow.ok).toBe(false);
    expect(fast).toEqual(slow);
  });

  it('on another actor\'s journal and with no journal, the same answer both ways', async () => {
    const other = await both(e1.commit, 'refs/gatos/journal/finance/user/alice');
    expect(other.slow.ok).toBe(false);
    expect(other.fast).toEqual(other.slow);
    const none = await both(e1.commit, undefined);
    expect(none.slow.ok).toBe(true);
    expect(none.fast).toEqual(none.slow);
  });
});
