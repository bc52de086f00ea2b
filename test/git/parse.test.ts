/**
 * The pure parts of the adapter on hand-made input: commit and tree bytes
 * that git would never write (they must be refused, not guessed at), the
 * stream splitter at awkward chunk boundaries, the environment rules, ids.
 */
import fc from 'fast-check';
import { ByteQueue } from '../../src/git/byte-queue';
import { gitEnv, hexLength, isObjectId, isZeroId, parseCommit, parseIdentity, parseTree, rawLength, withoutQuarantine, zeroId, formatIdentity } from '../../src/git';

const T = 'a'.repeat(40);
const P = 'b'.repeat(40);
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

describe('object ids', () => {
  it('knows the lengths and zero ids of both formats', () => {
    expect([hexLength('sha1'), hexLength('sha256'), rawLength('sha1'), rawLength('sha256')]).toEqual([40, 64, 20, 32]);
    expect(zeroId('sha1')).toHaveLength(40);
    expect(zeroId('sha256')).toHaveLength(64);
    expect(isZeroId(zeroId('sha256'))).toBe(true);
    expect(isZeroId('0'.repeat(41))).toBe(false);
    expect(isObjectId('sha1', T)).toBe(true);
    expect(isObjectId('sha256', T)).toBe(false);
    expect(isObjectId('sha1', T.toUpperCase())).toBe(false);
  });
});

describe('parseCommit', () => {
  const head = `tree ${T}\nparent ${P}\nauthor A U <a@x> 1700000000 +0000\ncommitter C <c@x> 1700000001 -0700\n`;

  it('reads a plain commit and a multi-line signature header', () => {
    const sig = 'gpgsig -----BEGIN SSH SIGNATURE-----\n U1NIU0lH\n -----END SSH SIGNATURE-----\n';
    const c = parseCommit(P, bytes(`${head}${sig}\nsubject\n\nbody\n`), 'sha1');
    expect(c.ok && c.value).toMatchObject({
      tree: T,
      parents: [P],
      author: { name: 'A U', email: 'a@x', seconds: 1700000000, tz: '+0000' },
      committer: { tz: '-0700' },
      extraHeaders: [{ key: 'gpgsig', value: '-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----' }],
      message: 'subject\n\nbody\n',
    });
  });

  it('accepts a commit without a message', () => {
    const c = parseCommit(P, bytes(head), 'sha1');
    expect(c.ok && c.value.message).toBe('');
  });

  it.each([
    ['no tree first', `parent ${P}\ntree ${T}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\nm`, 'first header must be tree'],
    ['a short parent', `tree ${T}\nparent abc\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\nm`, 'bad parent id'],
    ['a sha1 id in a sha256 repository', head + '\nm', 'first header must be tree'],
    ['no author', `tree ${T}\ncommitter C <c@x> 1 +0000\n\nm`, 'expected a well-formed author'],
    ['a broken author', `tree ${T}\nauthor A a@x 1 +0000\ncommitter C <c@x> 1 +0000\n\nm`, 'expected a well-formed author'],
    ['a second tree late', `${head}tree ${T}\n\nm`, 'header tree out of place'],
    ['a continuation first', ` x\n${head}\nm`, 'continuation line before any header'],
    ['no end of header', `tree ${T}`, 'no end of header'],
    ['a header that is not UTF-8', `${head}x-bad caf\xe9\n\nm`, 'header is not UTF-8'],
  ])('refuses %s', (name, text, why) => {
    const c = parseCommit(P, bytes(text), name.includes('sha256') ? 'sha256' : 'sha1');
    expect(c).toMatchObject({ ok: false, error: { code: 'ENCODING_INVALID', message: expect.stringContaining(why) } });
  });

  // What git's fsck calls malformed (receive.fsck.<id> at error level) is malformed here too: the gate never rests on git's check alone.
  it.each([
    ['multipleAuthors', `tree ${T}\nauthor A <a@x> 1 +0000\nauthor B <b@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\nm`, 'expected a well-formed committer'],
    ['missingSpaceBeforeDate', `tree ${T}\nauthor A <a@x>1 +0000\ncommitter C <c@x> 1 +0000\n\nm`, 'expected a well-formed author'],
    ['missingSpaceBeforeEmail', `tree ${T}\nauthor A<a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\nm`, 'expected a well-formed author'],
    ['missingNameBeforeEmail', `tree ${T}\nauthor <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\n\nm`, 'expected a well-formed author'],
    ['zeroPaddedDate', `tree ${T}\nauthor A <a@x> 01 +0000\ncommitter C <c@x> 1 +0000\n\nm`, 'expected a well-formed author'],
    ['badTimezone', `tree ${T}\nauthor A <a@x> 1 +000\ncommitter C <c@x> 1 +0000\n\nm`, 'expected a well-formed author'],
    ['badTimezone (trailing text)', `tree ${T}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000 x\n\nm`, 'expected a well-formed committer'],
    ['nulInHeader', `tree ${T}\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 1 +0000\nx-evil a\0b\n\nm`, 'NUL'],
    ['nulInCommit', `${head}\nsub\0ject\n`, 'NUL'],
    ['a header without a value', `${head}lonely\n\nm`, 'header line without a key'],
  ])('refuses %s as git fsck does', (_name, text, why) => {
    expect(parseCommit(P, bytes(text), 'sha1')).toMatchObject({ ok: false, error: { code: 'ENCODING_INVALID', message: expect.stringContaining(why) } });
  });

  it('still reads an empty name and an empty email, which git writes', () => {
    const c = parseCommit(P, bytes(`tree ${T}\nauthor  <> 0 +0000\ncommitter C <c@x> 1 +0000\n\nm`), 'sha1');
    expect(c.ok && c.value.author).toEqual({ name: '', email: '', seconds: 0, tz: '+0000' });
  });

  it('round-trips identities and refuses timestamps it cannot hold exactly', () => {
    const i = { name: 'Zoë Q. Public', email: 'z@example.test', seconds: 0, tz: '+1400' };
    expect(parseIdentity(formatIdentity(i))).toEqual(i);
    expect(parseIdentity('A <a@x> 99999999999999999 +0000')).toBeUndefined();
    expect(parseIdentity('A <a@x> 1 0000')).toBeUndefined();
  });
});

describe('parseTree', () => {
  const rawId = (c: string, len: number) => Buffer.alloc(len, c);

  it('reads entries of both formats', () => {
    for (const [format, len] of [['sha1', 20], ['sha256', 32]] as const) {
      const data = Buffer.concat([Buffer.from('100644 a.txt\0'), rawId('\x11', len), Buffer.from('40000 dir\0'), rawId('\x22', len)]);
      const t = parseTree('t', new Uint8Array(data), format);
      expect(t.ok && t.value.map((e) => [e.mode, e.type, e.id, e.name])).toEqual([
        ['100644', 'blob', '11'.repeat(len), 'a.txt'],
        ['40000', 'tree', '22'.repeat(len), 'dir'],
      ]);
    }
  });

  it.each([
    ['an unknown mode', Buffer.concat([Buffer.from('100600 a\0'), rawId('\x11', 20)]), 'unknown mode'],
    ['a cut-short id', Buffer.concat([Buffer.from('100644 a\0'), rawId('\x11', 19)]), 'cut short'],
    ['an empty name', Buffer.concat([Buffer.from('100644 \0'), rawId('\x11', 20)]), 'no name'],
    ['no mode', Buffer.from('garbage'), 'no mode'],
  ])('refuses %s', (_name, data, why) => {
    expect(parseTree('t', new Uint8Array(data), 'sha1')).toMatchObject({ ok: false, error: { code: 'ENCODING_INVALID', message: expect.stringContaining(why) } });
  });

  // Trees git's fsck calls malformed: git serves one copy of a duplicate name, a reader keeping the other would see another tree.
  const entry = (mode: string, name: string | Buffer, c: string, len = 20) => Buffer.concat([Buffer.from(`${mode} `), typeof name === 'string' ? Buffer.from(name, 'utf8') : name, Buffer.from([0]), rawId(c, len)]);
  it.each([
    ['duplicateEntries (adjacent files)', [entry('100644', 'a', '\x11'), entry('100644', 'a', '\x22')], 'duplicate'],
    ['duplicateEntries (a file and a tree of one name)', [entry('100644', 'a', '\x11'), entry('40000', 'a', '\x22')], 'duplicate'],
    ['duplicateEntries (file and tree apart, sorted as git sorts)', [entry('100644', 'a', '\x11'), entry('100644', 'a.b', '\x11'), entry('40000', 'a', '\x22')], 'duplicate'],
    ['treeNotSorted', [entry('100644', 'b', '\x11'), entry('100644', 'a', '\x22')], 'not sorted'],
    ['treeNotSorted (a tree sorts as name/)', [entry('40000', 'a', '\x11'), entry('100644', 'a.b', '\x22')], 'not sorted'],
    ['zeroPaddedFilemode', [entry('0100644', 'a', '\x11')], 'mode'],
    ['zeroPaddedFilemode (tree)', [entry('040000', 'a', '\x11')], 'mode'],
    ['badFilemode (100664)', [entry('100664', 'a', '\x11')], 'mode'],
    ['badFilemode (100600)', [entry('100600', 'a', '\x11')], 'mode'],
    ['fullPathname', [entry('100644', 'a/b', '\x11')], "'/'"],
    ['hasDot', [entry('40000', '.', '\x11')], "'.'"],
    ['hasDotdot', [entry('40000', '..', '\x11')], "'..'"],
    ['hasDotgit', [entry('40000', '.git', '\x11')], '.git'],
    ['hasDotgit (case)', [entry('100644', '.GiT', '\x11')], '.git'],
    ['hasDotgit (NTFS short name)', [entry('40000', 'GIT~1', '\x11')], '.git'],
    ['hasDotgit (NTFS trailing dot)', [entry('40000', '.git.', '\x11')], '.git'],
    ['hasDotgit (HFS ignorable)', [entry('40000', '.g\u200cit', '\x11')], '.git'],
  ])('refuses %s', (_name, parts, why) => {
    expect(parseTree('t', new Uint8Array(Buffer.concat(parts)), 'sha1')).toMatchObject({ ok: false, error: { code: 'ENCODING_INVALID', message: expect.stringContaining(why) } });
  });

  it('reads what git writes: a tree after a longer file name, names that only look like .git', () => {
    for (const [format, len] of [['sha1', 20], ['sha256', 32]] as const) {
      const sorted = Buffer.concat([entry('100644', '.gitkeep', '\x11', len), entry('100644', 'a', '\x11', len), entry('100644', 'a.b', '\x11', len), entry('40000', 'a0', '\x22', len), entry('40000', 'git~2', '\x22', len)]);
      const t = parseTree('t', new Uint8Array(sorted), format);
      expect(t.ok && t.value.map((e) => e.name)).toEqual(['.gitkeep', 'a', 'a.b', 'a0', 'git~2']);
    }
  });

  it('matches git on every order of a few tricky names (git mktree sorts, we check)', () => {
    const names: [string, string][] = [['100644', 'a'], ['40000', 'a-'], ['100644', 'a.'], ['40000', 'a0'], ['100644', 'b'], ['40000', 'ab']];
    const key = (m: string, n: string) => Buffer.from(m === '40000' ? `${n}/` : n);
    const gitOrder = [...names].sort((x, y) => Buffer.compare(key(...x), key(...y)));
    fc.assert(
      fc.property(fc.shuffledSubarray(names, { minLength: 2 }), (sub) => {
        const inGitOrder = gitOrder.filter((n) => sub.includes(n));
        const t = parseTree('t', new Uint8Array(Buffer.concat(sub.map(([m, n]) => entry(m, n, '\x11')))), 'sha1');
        return t.ok === (JSON.stringify(sub) === JSON.stringify(inGitOrder));
      }),
      { seed: 10, numRuns: 200 },
    );
  });

  it('keeps names that are not UTF-8 as bytes', () => {
    const t = parseTree('t', new Uint8Array(Buffer.concat([Buffer.from('100644 caf\xe9\0', 'latin1'), rawId('\x11', 20)])), 'sha1');
    expect(t.ok && t.value[0]?.name).toBeUndefined();
    expect(t.ok && Buffer.from(t.value[0]!.nameBytes).toString('latin1')).toBe('caf\xe9');
  });
});

describe('ByteQueue', () => {
  it('gives back the same lines and runs however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), fc.array(fc.integer({ min: 1, max: 17 }), { minLength: 1 }), (records, cuts) => {
        // Each record is framed like cat-file output: "<length>\n<bytes>\n".
        const stream = Buffer.concat(records.flatMap((r) => [Buffer.from(`${r.length}\n`), Buffer.from(r), Buffer.from('\n')]));
        const q = new ByteQueue();
        const got: Buffer[] = [];
        let want: number | undefined;
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const n = cuts[i % cuts.length] ?? 1;
          q.push(stream.subarray(at, at + n));
          at += n;
          while (true) {
            if (want === undefined) {
              const line = q.readLine();
              if (!line) break;
              want = Number(line.toString());
            }
            const body = q.take(want + 1);
            if (!body) break;
            got.push(Buffer.from(body.subarray(0, want)));
            want = undefined;
          }
        }
        expect(got).toEqual(records.map((r) => Buffer.from(r)));
        expect(q.length).toBe(0);
      }),
    );
  });
});

describe('the environment git runs in', () => {
  const hook = {
    PATH: '/bin',
    GIT_DIR: '.',
    GIT_WORK_TREE: '/elsewhere',
    GIT_INDEX_FILE: '/elsewhere/index',
    LANG: 'de_DE.UTF-8',
    LC_MESSAGES: 'fr_FR.UTF-8',
    GIT_QUARANTINE_PATH: '/r/objects/incoming-x',
    GIT_OBJECT_DIRECTORY: '/r/objects/incoming-x',
    GIT_ALTERNATE_OBJECT_DIRECTORIES: '/r/objects',
    GIT_PUSH_OPTION_COUNT: '0',
  };

  it('names the repository itself, pins the locale and keeps the quarantine it was given', () => {
    const env = gitEnv(hook, '/r');
    expect(env).toEqual({
      PATH: '/bin',
      GIT_DIR: '/r',
      LC_ALL: 'C',
      GIT_TERMINAL_PROMPT: '0',
      GIT_NO_REPLACE_OBJECTS: '1',
      GIT_QUARANTINE_PATH: '/r/objects/incoming-x',
      GIT_OBJECT_DIRECTORY: '/r/objects/incoming-x',
      GIT_ALTERNATE_OBJECT_DIRECTORIES: '/r/objects',
      GIT_PUSH_OPTION_COUNT: '0',
    });
  });

  it('drops exactly the quarantine variables when escaping', () => {
    const escaped = withoutQuarantine(hook);
    expect(Object.keys(hook).filter((k) => !(k in escaped))).toEqual(['GIT_QUARANTINE_PATH', 'GIT_OBJECT_DIRECTORY', 'GIT_ALTERNATE_OBJECT_DIRECTORIES']);
    expect(hook.GIT_QUARANTINE_PATH).toBeDefined();
  });
});
