/**
 * `gatos bus reshard` and `rotate` in a clone, no server: each transition
 * the gate allows is written, and what it would refuse (or what changes
 * nothing) stops before anything is written, with the exit status
 * docs/cli.md gives.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/cli';
import { gitText, initRepo } from '../helpers/git';

describe('gatos bus reshard and rotate', () => {
  test('create, open a window, refuse a second one, flip; a flip without a window or a change of nothing is a usage error', () => {
    const ws = initRepo();
    expect(runCli(['init'], { cwd: ws }).status).toBe(0);
    const bus = (args: string[]) => runCli(['bus', 'reshard', 'jobs', ...args, '--as', 'user:root', '--json'], { cwd: ws });
    const flipFirst = bus(['--flip']);
    expect({ status: flipFirst.status, err: flipFirst.stderr }).toEqual({ status: 2, err: expect.stringContaining('no dual-write window to flip') });
    const made = bus(['--shards', '2']);
    expect(made.status).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ transition: 'create', config: { version: 1, shards: 2, migrate: 'done', from_version: 0 } });
    expect(bus(['--shards', '2']).stderr).toContain('nothing to change');
    expect(JSON.parse(bus(['--shards', '3']).stdout)).toMatchObject({ transition: 'reshard', config: { version: 2, shards: 3, from_version: 1, migrate: 'dual-write' } });
    const second = bus(['--shards', '4']);
    expect({ status: second.status, err: second.stderr }).toEqual({ status: 1, err: expect.stringMatching(/^error\[EPOCH_BROKEN\]: .*still open/) });
    expect(JSON.parse(bus(['--flip']).stdout)).toMatchObject({ transition: 'flip', config: { version: 2, migrate: 'done' } });
    // Three config commits, one per accepted transition, each the parent of the next.
    expect(gitText(ws, ['rev-list', '--count', 'refs/gatos/mbus-config/jobs'])).toBe('3');
  });

  test('the segment policy is set and removed as settings; rotate refuses inside a window and a shard with nothing to close', () => {
    const ws = initRepo();
    const env = { GATOS_KEY_DIR: path.join(mkdtempSync(path.join(os.tmpdir(), 'gatos-bus-keys-')), 'keys') };
    expect(runCli(['init'], { cwd: ws }).status).toBe(0);
    expect(runCli(['key', 'new', '--actor', 'user:root'], { cwd: ws, env }).status).toBe(0);
    const bus = (args: string[]) => runCli(['bus', ...args, '--as', 'user:root', '--json'], { cwd: ws, env });
    expect(JSON.parse(bus(['reshard', 'logs', '--shards', '2', '--segment-messages', '100', '--segment-bytes', '4096']).stdout)).toMatchObject({ transition: 'create', config: { segment_messages: 100, segment_bytes: 4096 } });
    const removed = JSON.parse(bus(['reshard', 'logs', '--segment-bytes', 'none']).stdout) as { transition: string; config: Record<string, unknown> };
    expect(removed.transition).toBe('settings');
    expect(removed.config.segment_messages).toBe(100);
    expect('segment_bytes' in removed.config).toBe(false);
    const empty = bus(['rotate', 'logs', '--shard', '1']);
    expect({ status: empty.status, err: empty.stderr }).toEqual({ status: 2, err: expect.stringContaining('shard 1 of logs does not rotate: its open segment is empty') });
    const reserved = bus(['publish', 'logs', '--key', 'k', '--type', 'bus.segment']);
    expect({ status: reserved.status, err: reserved.stderr }).toEqual({ status: 2, err: expect.stringContaining('reserved for segment summaries') });
    expect(bus(['reshard', 'logs', '--shards', '3']).status).toBe(0);
    const inWindow = bus(['rotate', 'logs']);
    expect({ status: inWindow.status, err: inWindow.stderr }).toEqual({ status: 2, err: expect.stringContaining('inside the dual-write window') });
  });
});
