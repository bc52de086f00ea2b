/**
 * Closing the cat-file reader while answers are still coming: the process
 * must stay alive until git has answered and exited. A reader that let go of
 * its child when the last answer arrived let Node drain its event loop before
 * git's exit was seen; in a hook that is "the gate stopped before it decided"
 * (a refusal nobody asked for). Run in child Node processes (jest keeps its
 * own loop alive), each asking for many objects and closing at once.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { gitDirOf, gitText, initRepo, writeCommit } from '../helpers/git';

test('a reader closed with reads in flight answers them all, then ends, every time', () => {
  const dir = initRepo({});
  let parent: string | undefined;
  for (let i = 0; i < 40; i++) parent = writeCommit(dir, { message: `c${i}\n`, files: { f: `${i}` }, ...(parent ? { parents: [parent] } : {}), ref: 'refs/heads/main' });
  gitText(dir, ['repack', '-a', '-d', '-q']);
  const ids = gitText(dir, ['rev-list', '--objects', '--all']).split('\n').map((l) => l.split(' ')[0] as string);
  const work = mkdtempSync(path.join(os.tmpdir(), 'gatos-close-race-'));
  try {
    const script = path.join(work, 'close.cjs');
    buildSync({
      stdin: {
        contents: `
          import { ObjectReader } from ${JSON.stringify(path.resolve(__dirname, '../../src/git/cat-file'))};
          import { gitEnv } from ${JSON.stringify(path.resolve(__dirname, '../../src/git/env'))};
          const [gitDir, ...ids] = process.argv.slice(2);
          const reader = new ObjectReader({ cwd: gitDir, env: gitEnv(process.env, gitDir) }, 'sha1');
          let answered = 0;
          for (const id of ids) void reader.read(id).then((r) => { if (r.ok) answered++; });
          let closed = false;
          process.once('beforeExit', () => { if (!closed) { console.log('stalled after', answered); process.exit(3); } });
          setImmediate(() => void reader.close().then(() => { closed = true; console.log('closed', answered); }));
        `,
        resolveDir: work,
        loader: 'ts',
      },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: script,
      logLevel: 'silent',
    });
    const outcomes = Array.from({ length: 12 }, () => spawnSync(process.execPath, [script, gitDirOf(dir), ...ids], { encoding: 'utf8' }).stdout.trim());
    expect(outcomes).toEqual(Array.from({ length: 12 }, () => `closed ${ids.length}`));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
