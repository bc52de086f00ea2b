/**
 * Where /bin/sh is bash, bash imports shell functions from the environment
 * (BASH_FUNC_<name>%%) and they stand in for any command that is not a
 * special builtin: a `read` or a `git` that exits 0 ended the update stub
 * with 0 (docs/security.md, 15.9). The installed stubs' first line unsets
 * every function named in src/push/gate-node-env.json's shellCommands;
 * this test holds that list to the commands the built stubs really run.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { commandWords } from '../helpers/sh-command-words';

const ROOT = path.resolve(__dirname, '..', '..');
const { shellCommands } = JSON.parse(readFileSync(path.join(ROOT, 'src', 'push', 'gate-node-env.json'), 'utf8')) as { shellCommands: string[] };
/** No function can replace these in a POSIX shell (special builtins), and keywords are no commands. */
const SPECIAL = ['break', ':', '.', 'continue', 'eval', 'exec', 'exit', 'export', 'readonly', 'return', 'set', 'shift', 'times', 'trap', 'unset'];
const KEYWORDS = ['case', 'esac', 'if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'in', '{', '}'];

describe.each(['pre-receive', 'update'])('the built hooks/%s stub', (hook) => {
  const script = readFileSync(path.join(ROOT, 'hooks', hook), 'utf8');
  const own = [...script.matchAll(/^\s*([A-Za-z_][A-Za-z0-9_]*)\(\)\s*\{/gm)].map((m) => m[1] as string);
  const words = commandWords(script);

  it('unsets every shell function it could run, first thing', () => {
    const firstCode = script.split('\n').find((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
    expect(firstCode).toBe(`unset -f ${shellCommands.map((c) => (c === '[' ? "'['" : c)).join(' ')}`);
    const allowed = new Set([...SPECIAL, ...KEYWORDS, ...own, ...shellCommands]);
    const unlisted = words.filter((w) => !allowed.has(w.word));
    expect(unlisted).toEqual([]);
  });

  it('is read whole: the scan finds the commands it runs inside $( ) and after || as well', () => {
    const found = new Set(words.map((w) => w.word));
    for (const expected of hook === 'update' ? ['git', 'read', 'full', 'gate_node'] : ['cat', 'mktemp', 'kill', 'cold', 'gate_node']) expect({ expected, found: found.has(expected) }).toEqual({ expected, found: true });
  });
});
