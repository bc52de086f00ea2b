/**
 * The event workers fail closed (src/push/event-pool.ts): a worker thread
 * that cannot start, throws, exits, answers an error or answers nothing
 * rejects the whole verification (the hook then refuses the push with
 * GATE_ERROR, run-hook.ts), never resolves with part of the answers. And
 * answers arriving out of order are put back in event order. The workers
 * here are small scripts standing in for the hook file; the real hook's
 * workers are driven end to end in event-workers.test.ts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EventWorkers } from '../../src/push/event-pool';

const dir = mkdtempSync(path.join(os.tmpdir(), 'gatos-event-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function script(name: string, body: string): string {
  const file = path.join(dir, `${name}.cjs`);
  writeFileSync(file, `const { parentPort, threadId } = require('node:worker_threads');\n${body}\n`);
  return file;
}

const OPENING = { gitDir: dir, env: {}, format: 'sha1' as const };
const job = (n: number) => ({ ref: 'refs/gatos/journal/a/user/alice', now: 0, activeCommit: 'a'.repeat(40), ids: Array.from({ length: n }, (_, i) => i.toString(16).padStart(40, '0')) });

/** Runs `n` events through workers of `file`; what verify settled with. */
async function settle(file: string, n: number, stallMs = 60_000): Promise<{ ok: true; events: unknown[] } | { ok: false; message: string }> {
  const w = new EventWorkers(file, OPENING, 2, 1, stallMs);
  try {
    const r = await w.verify(job(n), () => undefined);
    return { ok: true, events: r.events };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  } finally {
    await w.close();
  }
}

describe('event workers', () => {
  it('put answers back in event order whatever order the threads answer in', async () => {
    // Each worker answers its chunks in reverse order of arrival, each event's fact naming its id.
    const file = script('reverse', `
      const held = [];
      parentPort.on('message', (m) => {
        if (m === 'close') return parentPort.postMessage('closed');
        held.push(m);
        setImmediate(() => { while (held.length) { const c = held.pop(); parentPort.postMessage({ seq: c.seq, commits: [], unreadable: [], events: c.ids.map((id) => ({ ok: false, code: 'X', reason: id + ' on ' + threadId })) }); } });
      });`);
    const r = await settle(file, 3000);
    if (!r.ok) throw new Error(r.message);
    expect(r.events.map((e) => (e as { reason: string }).reason.split(' ')[0])).toEqual(job(3000).ids);
    // Both threads did some of the work.
    expect(new Set(r.events.map((e) => (e as { reason: string }).reason.split(' on ')[1])).size).toBe(2);
  });

  it('refuse when a worker cannot start (its file throws)', async () => {
    const r = await settle(script('throws', "throw new Error('cannot load');"), 10);
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/event-verifying worker thread failed: cannot load/) as unknown });
  });

  it('refuse when a worker exits while it owes answers', async () => {
    const r = await settle(script('exits', "parentPort.on('message', () => process.exit(3));"), 10);
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/event-verifying worker thread exited \(code 3\)/) as unknown });
  });

  it('refuse when a worker answers an error', async () => {
    const r = await settle(script('error', "parentPort.on('message', (m) => m === 'close' ? parentPort.postMessage('closed') : parentPort.postMessage({ seq: m.seq, error: 'git failed' }));"), 10);
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/event-verifying worker thread failed: git failed/) as unknown });
  });

  it('refuse when a worker answers nothing (hung)', async () => {
    const r = await settle(script('hangs', "parentPort.on('message', () => undefined);"), 10, 200);
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/event-verifying worker thread answered nothing for 200 ms/) as unknown });
  });
});
