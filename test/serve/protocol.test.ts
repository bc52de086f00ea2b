/** The daemon's wire (src/serve/protocol.ts): request lines, reply messages, /proc parsing. Pure. */
import path from 'node:path';
import { LineSplitter, absoluteGitEnv, coldMessage, endMessage, environOf, outputMessage, parentOfStat, parseRequestLine, pidFileText, writeMessage } from '../../src/serve/protocol';

const NONCE = '0123456789abcdef0123456789abcdef';

describe('request lines', () => {
  it('parse when exactly magic, nonce, pid and folder', () => {
    expect(parseRequestLine(`gatos-push-1 ${NONCE} 4242 c.AbC123`)).toEqual({ ok: true, value: { nonce: NONCE, pid: 4242, dir: 'c.AbC123' } });
  });

  it('carry a push\'s plain update lines inline, as <old> <new> <ref> triples', () => {
    const [a, b, z] = ['a'.repeat(40), 'b'.repeat(40), '0'.repeat(40)];
    expect(parseRequestLine(`gatos-push-2 ${NONCE} 7 ${a} ${b} refs/heads/main ${z} ${a} refs/gatos/journal/x/user/a`)).toEqual({
      ok: true,
      value: { nonce: NONCE, pid: 7, stdin: `${a} ${b} refs/heads/main\n${z} ${a} refs/gatos/journal/x/user/a\n` },
    });
    const [c, d] = ['c'.repeat(64), 'd'.repeat(64)];
    expect(parseRequestLine(`gatos-push-2 ${NONCE} 7 ${c} ${d} refs/heads/main`)).toEqual({ ok: true, value: { nonce: NONCE, pid: 7, stdin: `${c} ${d} refs/heads/main\n` } });
  });

  it('ask for the reply in the client\'s stdin pipe only as gatos-push-3, with the same triples', () => {
    const [a, b] = ['a'.repeat(40), 'b'.repeat(40)];
    expect(parseRequestLine(`gatos-push-3 ${NONCE} 7 ${a} ${b} refs/heads/main`)).toEqual({ ok: true, value: { nonce: NONCE, pid: 7, stdin: `${a} ${b} refs/heads/main\n`, replyOnStdin: true } });
    expect(parseRequestLine(`gatos-push-3 ${NONCE} 7 c.abcdef`).ok).toBe(false);
    expect(parseRequestLine(`gatos-push-3 ${NONCE} 7 ${a} refs/heads/main`).ok).toBe(false);
  });

  it.each([
    ['no update', `gatos-push-2 ${NONCE} 7`],
    ['a missing field', `gatos-push-2 ${NONCE} 7 ${'a'.repeat(40)} refs/heads/main`],
    ['ids of two lengths', `gatos-push-2 ${NONCE} 7 ${'a'.repeat(40)} ${'b'.repeat(64)} refs/heads/main`],
    ['an upper-case id', `gatos-push-2 ${NONCE} 7 ${'A'.repeat(40)} ${'b'.repeat(40)} refs/heads/main`],
    ['a ref with a character the client never sends inline', `gatos-push-2 ${NONCE} 7 ${'a'.repeat(40)} ${'b'.repeat(40)} refs/heads/a~b`],
    ['an empty field (two spaces)', `gatos-push-2 ${NONCE} 7 ${'a'.repeat(40)}  ${'b'.repeat(40)} refs/heads/main`],
    ['a folder', `gatos-push-2 ${NONCE} 7 c.abcdef`],
  ])('refuse an inline request with %s', (_what, line) => {
    expect(parseRequestLine(line).ok).toBe(false);
  });

  it.each([
    ['another magic', `gatos-push-4 ${NONCE} 1 c.abcdef`],
    ['a short nonce', 'gatos-push-1 0123 1 c.abcdef'],
    ['an upper-case nonce', `gatos-push-1 ${NONCE.toUpperCase()} 1 c.abcdef`],
    ['pid 0', `gatos-push-1 ${NONCE} 0 c.abcdef`],
    ['a path for the folder', `gatos-push-1 ${NONCE} 1 ../c.abcdef`],
    ['a folder that is not c.XXXXXX', `gatos-push-1 ${NONCE} 1 verdicts`],
    ['a fifth field', `gatos-push-1 ${NONCE} 1 c.abcdef x`],
    ['a long folder name', `gatos-push-1 ${NONCE} 1 c.${'a'.repeat(300)}`],
    ['a line longer than PIPE_BUF allows', `gatos-push-2 ${NONCE} 1${` ${'a'.repeat(40)} ${'b'.repeat(40)} refs/heads/main`.repeat(45)}`],
  ])('refuse %s', (_what, line) => {
    expect(parseRequestLine(line).ok).toBe(false);
  });

  it('are split from a stream however it arrives, over-long lines dropped whole', () => {
    const s = new LineSplitter(10);
    expect(s.push('ab')).toEqual([]);
    expect(s.push('c\nde')).toEqual(['abc']);
    expect(s.push('f\n' + 'x'.repeat(8))).toEqual(['def']);
    expect(s.push('yyyy')).toEqual([]);
    expect(s.push('zz\nok\n')).toEqual(['ok']);
  });
});

describe('reply messages', () => {
  it('carry output lines, progress, the end and the cold answer', () => {
    expect(outputMessage('gatos gate: DENIED')).toBe('ogatos gate: DENIED\n');
    expect(outputMessage('a\nb')).toBe('oa\nob\n');
    expect(writeMessage('gatos gate: verifying events:  50% (1/2)\r')).toBe('rgatos gate: verifying events:  50% (1/2)\n');
    expect(writeMessage('gatos gate: verifying events: 100% (2/2), done.\n')).toBe('ogatos gate: verifying events: 100% (2/2), done.\n');
    expect(endMessage(NONCE, 1)).toBe(`x ${NONCE} 1\n`);
    expect(coldMessage(NONCE)).toBe(`c ${NONCE}\n`);
    expect(pidFileText(12, '345', 21)).toBe('gatos-daemon-2 12 345 21\n');
  });
});

describe('what the daemon reads of its client', () => {
  it('an environment from /proc strings', () => {
    expect(environOf(['A=1', 'B=x=y', 'noequals', '=bad', 'E='])).toEqual({ A: '1', B: 'x=y', E: '' });
  });

  it('the parent pid after the command name, whatever it holds', () => {
    expect(parentOfStat('123 (a) b) c) S 77 123 1 0')).toBe(77);
    expect(parentOfStat('garbage')).toBeUndefined();
  });

  it('git paths made absolute against the hook folder, quoted alternates left alone', () => {
    const env = absoluteGitEnv({ GIT_DIR: '.', GIT_OBJECT_DIRECTORY: '/abs/q', GIT_QUARANTINE_PATH: './objects/incoming-x', GIT_ALTERNATE_OBJECT_DIRECTORIES: './objects:/o2', OTHER: '.' }, '/srv/r.git', (c, p) => path.resolve(c, p));
    expect(env).toEqual({ GIT_DIR: '/srv/r.git', GIT_OBJECT_DIRECTORY: '/abs/q', GIT_QUARANTINE_PATH: '/srv/r.git/objects/incoming-x', GIT_ALTERNATE_OBJECT_DIRECTORIES: '/srv/r.git/objects:/o2', OTHER: '.' });
    expect(absoluteGitEnv({ GIT_ALTERNATE_OBJECT_DIRECTORIES: '"a:b"' }, '/x', (c, p) => path.resolve(c, p)).GIT_ALTERNATE_OBJECT_DIRECTORIES).toBe('"a:b"');
  });
});
