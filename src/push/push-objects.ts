/**
 * How many objects a push brings, the unit of the time budget (src/gate/budget.ts).
 * pre-receive reads it from the quarantine git received them into: each
 * pack's index states its object count (the last fan-out entry), and a small
 * push (under receive.unpackLimit) arrives as loose objects, counted by
 * file. Without a quarantine (the update hook after it was migrated, gatos
 * gate check) the objects new to the repository that the updates reach are
 * counted with git. Adapter.
 */
import { closeSync, openSync, readSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { ok, type Result } from '../core/result';
import type { EnvRecord, RefUpdate } from '../gate';
import type { GitError, GitRepo } from '../git';

const IDX_V2 = Buffer.from([0xff, 0x74, 0x4f, 0x63]);

/** An index's object count: fan-out entry 255 (after the 8-byte v2 header, or at the start of a v1 index). */
function idxCount(file: string): number | undefined {
  const fd = openSync(file, 'r');
  try {
    const head = Buffer.alloc(8 + 256 * 4);
    if (readSync(fd, head, 0, head.length, 0) !== head.length) return undefined;
    const v2 = head.subarray(0, 4).equals(IDX_V2);
    return head.readUInt32BE((v2 ? 8 : 0) + 255 * 4);
  } finally {
    closeSync(fd);
  }
}

/** Objects in the push's quarantine; undefined when there is none or it cannot be read. */
export function quarantinedObjects(env: EnvRecord): number | undefined {
  const dir = env.GIT_QUARANTINE_PATH;
  if (!dir) return undefined;
  try {
    let n = 0;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory() && /^[0-9a-f]{2}$/.test(e.name)) n += readdirSync(path.join(dir, e.name)).filter((f) => !f.startsWith('tmp')).length;
    }
    const packs = path.join(dir, 'pack');
    for (const f of readdirSync(packs).filter((f) => f.endsWith('.idx'))) {
      const c = idxCount(path.join(packs, f));
      if (c === undefined) return undefined;
      n += c;
    }
    return n;
  } catch {
    return undefined;
  }
}

/** The objects new to the repository that the updates' new tips reach (what a push of them would bring). */
export async function newObjectCount(repo: GitRepo, updates: readonly RefUpdate[]): Promise<Result<number, GitError>> {
  const tips = [...new Set(updates.map((u) => u.newId).filter((id) => id !== repo.zeroId))];
  if (tips.length === 0) return ok(0);
  const r = await repo.run(['rev-list', '--objects', '--count', '--stdin', '--not', '--all'], { input: `${tips.join('\n')}\n` });
  if (!r.ok) return r;
  return ok(Number(r.value.stdout.toString('utf8').trim()) || 0);
}

/** The budget's object count for a push: the quarantine's when there is one, else git's count. */
export async function pushObjects(repo: GitRepo, env: EnvRecord, updates: readonly RefUpdate[]): Promise<Result<number, GitError>> {
  const q = quarantinedObjects(env);
  return q !== undefined ? ok(q) : newObjectCount(repo, updates);
}
