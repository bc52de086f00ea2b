/**
 * The clean-up of verdict records in writeRecords (src/hooks/records.ts):
 * a folder younger than the grace period is not read (decision 0052: a cold
 * hook paid five system calls for each record of the last ten seconds);
 * older folders are cleaned as before. Real files in a temp dir, no git.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeRecords } from '../../src/hooks/records';

let gitDir: string;
beforeEach(() => {
  gitDir = mkdtempSync(path.join(os.tmpdir(), 'gatos-prune-'));
});
afterEach(() => rmSync(gitDir, { recursive: true, force: true }));

const verdicts = () => path.join(gitDir, 'gatos', 'verdicts');
const prune = (nowMs: number) => writeRecords({ gitDir, updates: [], session: 's', policyBefore: 'p', policyAfter: 'p', nowMs, uptimeS: 1 });

/** A record folder holding one file, the file dated `fileAgeS` and the folder `folderAgeS` seconds before `now`. */
function folder(name: string, content: string, fileAgeS: number, folderAgeS: number, now: number): void {
  const dir = path.join(verdicts(), name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'v4.leaf'), content);
  utimesSync(path.join(dir, 'v4.leaf'), (now - fileAgeS * 1000) / 1000, (now - fileAgeS * 1000) / 1000);
  utimesSync(dir, (now - folderAgeS * 1000) / 1000, (now - folderAgeS * 1000) / 1000);
}

test('folders of the last ten seconds are left unread; older ones lose what allows nothing', () => {
  const now = Date.now();
  // Consumed (empty) 30 s ago, folder as old: both go.
  folder('old-consumed', '', 30, 30, now);
  // A record still allowing, 30 s old: it stays (stale only after RECORD_MAX_AGE_S), so does its folder.
  folder('old-live', 'x', 30, 30, now);
  // Stale (past RECORD_MAX_AGE_S): file and folder go.
  folder('stale', 'x', 700, 700, now);
  // A folder changed 5 s ago holds nothing old enough to go; not even a file dated back is looked at.
  folder('young', '', 30, 5, now);
  prune(now);
  expect(readdirSync(verdicts()).sort()).toEqual(['old-live', 'young']);
  expect(readdirSync(path.join(verdicts(), 'old-live'))).toEqual(['v4.leaf']);
  expect(readdirSync(path.join(verdicts(), 'young'))).toEqual(['v4.leaf']);
  // Past the grace period the young folder is read: its consumed record and then the folder go.
  prune(now + 11_000);
  expect(readdirSync(verdicts()).sort()).toEqual(['old-live']);
});
