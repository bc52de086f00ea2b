/**
 * What `gatos doctor` and `gatos repair` know of the cold hooks' own caches
 * in $GIT_DIR/gatos/cache beside the code cache (decision 0042): the
 * settings record (src/push/settings-record.ts), the copies of the active
 * bundle's objects (src/push/bundle-objects.ts) and the record of the decoded
 * active bundle (src/push/bundle-record.ts, decision 0046; one another release
 * wrote counts as damaged: no hook of this one uses it). A damaged one is never
 * used, only costs time (git is asked), and is rewritten by the next push;
 * repair removes it. Adapter (filesystem).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LooseObjects } from '../git/loose';
import { bundleObjectsDir, looseFile } from '../push/bundle-objects';
import { bundleRecordFile, decodeBundleRecord } from '../push/bundle-record';
import { settingsRecordBody, settingsRecordFile } from '../push/settings-record';

/** The hook cache files that are damaged (absolute paths, sorted): each is ignored by the hooks. */
export function damagedHookCaches(gitDir: string): string[] {
  const bad: string[] = [];
  const settings = settingsRecordFile(gitDir);
  try {
    if (settingsRecordBody(new Uint8Array(readFileSync(settings))) === undefined) bad.push(settings);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') bad.push(settings);
  }
  const record = bundleRecordFile(gitDir);
  try {
    if (decodeBundleRecord(new Uint8Array(readFileSync(record))) === undefined) bad.push(record);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') bad.push(record);
  }
  const dir = bundleObjectsDir(gitDir);
  // The id's length names its hash (40 hex digits: sha1, 64: sha256); each copy must be exactly that object.
  const kept = { sha1: new LooseObjects([dir], 'sha1'), sha256: new LooseObjects([dir], 'sha256') };
  for (const { id, file } of keptObjects(dir)) {
    const format = /^[0-9a-f]{40}$/.test(id) ? 'sha1' : /^[0-9a-f]{64}$/.test(id) ? 'sha256' : undefined;
    if (file !== looseFile(dir, id) || format === undefined || kept[format].read(id) === undefined) bad.push(file);
  }
  return bad.sort();
}

/** Every file in the object copies' folder, with the id its place names (folder name + file name), whatever it holds. */
function keptObjects(dir: string): { id: string; file: string }[] {
  const out: { id: string; file: string }[] = [];
  let fans: string[];
  try {
    fans = readdirSync(dir);
  } catch {
    return out;
  }
  for (const fan of fans) {
    try {
      for (const rest of readdirSync(path.join(dir, fan))) out.push({ id: `${fan}${rest}`, file: path.join(dir, fan, rest) });
    } catch {
      out.push({ id: fan, file: path.join(dir, fan) });
    }
  }
  return out;
}

/** How many object copies the hooks keep. */
export function keptObjectCount(gitDir: string): number {
  return keptObjects(bundleObjectsDir(gitDir)).length;
}
