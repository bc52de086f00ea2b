/**
 * A 100,000-event push, for real: generated with the producer's library (one
 * pack, as `gatos event add` would write them one by one), pushed over
 * file:// into the gated server under the default settings of the
 * `gitolite` host (gatos.host, as install records it; the gitolite layout
 * itself is tested in the hosts' suites). It is accepted whatever the
 * machine's load (the time budget grows with the objects the push brings:
 * docs/decisions/0024), and the client sees the gate's progress on `remote:`
 * lines; the hook's peak memory stays under 256 MB (issue 12, decision 0027:
 * the hook keeps facts, not commits, and bounds its heap). The `plain` host's defaults are the same rule (test/gate/budget.test.ts
 * asserts the limits are equal); GATOS_LARGE_PUSH_HOSTS=gitolite,plain pushes to
 * a plain copy too. Slow by nature, so it runs in a jest process of its own,
 * `npm run test:large` (jest.config.cjs says why; not part of npm test: decision
 * 0035): one world, one set of events.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { appendEvents, type EventSpec } from '../../src/events';
import { openRepo } from '../../src/git';
import { loadKey } from '../../src/keys';
import { random80 } from '../../src/workspace/clock';
import { GateWorld } from '../helpers/gate-world';

jest.setTimeout(1_800_000);

/** GATOS_LARGE_PUSH_EVENTS: fewer for a quick look while working on it (5,000 or more show progress). */
const EVENTS = Number(process.env.GATOS_LARGE_PUSH_EVENTS ?? 100_000);
const JOURNAL = 'refs/gatos/journal/bulk/user/alice';
type Host = 'plain' | 'gitolite';
/** Issue 12's bound on the hook's peak memory (resident set), whatever the push size. */
const PEAK_MB = 256;
const HOSTS = (process.env.GATOS_LARGE_PUSH_HOSTS ?? 'gitolite').split(',').filter((h): h is Host => h === 'plain' || h === 'gitolite');

describe(`a push of ${EVENTS} signed events`, () => {
  let w: GateWorld;
  let alice: string;
  let tip: string;
  const servers: Record<'plain' | 'gitolite', string> = { plain: '', gitolite: '' };

  beforeAll(async () => {
    const started = Date.now();
    w = new GateWorld({ format: 'sha1' }).setup();
    alice = w.client('user:alice');
    const key = loadKey(w.keyDir, 'user:alice');
    if (!key.ok) throw new Error(key.error.message);
    const opened = await openRepo(path.join(alice, '.git'), { env: w.env() });
    if (!opened.ok) throw new Error(opened.error.message);
    const b = w.activeBundle(alice);
    const specs: EventSpec[] = Array.from({ length: EVENTS }, (_, i) => ({ type: 'flag.set', payload: { flag: `f${i % 50}`, on: i % 2 === 0 }, caps: ['journal:append'], ts: w.now }));
    const built = Date.now();
    const r = await appendEvents({ repo: opened.value, ns: 'bulk', key: key.value, policyRoot: b.commit, foldRoot: b.foldRoot, random: random80 }, specs);
    await opened.value.close();
    if (!r.ok) throw new Error(r.error.message);
    console.log(`world ${((built - started) / 1000).toFixed(1)} s, ${EVENTS} events made ${((Date.now() - built) / 1000).toFixed(1)} s`);
    tip = w.git(alice, ['rev-parse', JOURNAL]).stdout.trim();
    // The server as gitolite, and (when asked) a copy of it made before any push as a plain host.
    servers.gitolite = w.gitDir;
    if (HOSTS.includes('plain')) {
      servers.plain = path.join(w.root, 'srv-plain.git');
      cpSync(w.gitDir, servers.plain, { recursive: true });
    }
    for (const host of HOSTS) expect(w.git(w.root, ['--git-dir', servers[host], 'config', 'gatos.host', host]).status).toBe(0);
  });

  it('installs no time budget of its own: the host defaults apply', () => {
    for (const dir of HOSTS.map((h) => servers[h])) {
      expect(w.git(w.root, ['--git-dir', dir, 'config', '--get-regexp', '^gatos\\.timebudget']).stdout).toBe('');
    }
  });

  for (const host of HOSTS) {
    it(`is accepted under gatos.host=${host}'s defaults and shows progress on remote: lines`, () => {
      // GL_USER as gitolite would set it; GATOS_ACTOR as the file:// tests name the pusher.
      const r = w.git(alice, ['push', `file://${servers[host]}`, JOURNAL], { GATOS_ACTOR: 'user:alice', GL_USER: 'alice', GATOS_TRACE: '1' });
      // The hook's own figures, for the record (docs/PERFORMANCE.md).
      const trace = r.stderr.split(/[\r\n]/).filter((l) => /total since|verify \d+ events|collections|memory now/.test(l));
      console.log(`${host}: ${trace.join('\n')}`);
      expect({ status: r.status, refused: /push refused/.test(r.stderr) }).toEqual({ status: 0, refused: false });
      expect(w.git(w.root, ['--git-dir', servers[host], 'rev-parse', JOURNAL]).stdout.trim()).toBe(tip);
      // git shows the hook's \r-ended lines as they come, each behind "remote: ".
      const progress = r.stderr.split(/[\r\n]/).filter((l) => l.startsWith('remote: gatos gate: verifying events:'));
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(progress.some((l) => new RegExp(` (\\d|[1-9]\\d)% \\(\\d+/${EVENTS}\\)`).test(l))).toBe(true);
      expect(progress.at(-1)).toMatch(new RegExp(`100% \\(${EVENTS}/${EVENTS}\\), done\\.`));
      // GATOS_TRACE's total line: process.resourceUsage().maxRSS of the pre-receive hook.
      const peak = trace.map((l) => /peak memory (\d+) MB/.exec(l)?.[1]).find((m) => m !== undefined);
      expect(peak).toBeDefined();
      expect(Number(peak)).toBeLessThan(PEAK_MB);
    });
  }
});
