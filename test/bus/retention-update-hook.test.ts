/**
 * Bus retention with only the update hook installed (decision 0039, "the
 * update hook alone"): the hook judges one ref at a time against the server
 * as it stands, so a prune finds its archive ref only once that ref has
 * landed. Topic `logs`, one shard, rotate at 1 message, prune at 1 sealed
 * segment, no named subscriber. A prune pushed in one push with its archive
 * ref: git runs the shard's update hook first (a ref the server has goes
 * before the refs a push creates), which finds no archive and refuses, while
 * the archive lands; pushed again, the prune is accepted; rewinding the
 * shard to its pruned history is refused. 6 pushes.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { archiveRef } from '../../src/gate/bus-prune';
import { formatTime } from '../../src/trust';
import { busActors } from '../helpers/bus';
import { GateWorld } from '../helpers/gate-world';

jest.setTimeout(120_000);

const TOPIC = 'logs';
const SHARD = `refs/gatos/mbus/${TOPIC}/0`;

describe('bus retention with the update hook alone', () => {
  let w: GateWorld;
  const dir: Record<string, string> = {};
  const { ok, cli, accepted, sync } = busActors(() => w, dir);
  const server = (args: string[]) => w.git(w.root, ['--git-dir', w.gitDir, ...args]).stdout.trim();

  beforeAll(() => {
    w = new GateWorld({ format: 'sha1', template: 'regulated', hooks: 'update' }).setup();
    const at = { GATOS_NOW: formatTime(w.adminNow) };
    ok(w.gatos(w.admin, ['trust', 'grant', '--to', 'user:alice', '--caps', `bus:publish:${TOPIC},bus:subscribe:${TOPIC},bus:prune:${TOPIC}`, '--exp', formatTime(w.now + 365 * 86400), '--as', 'user:root'], at), 'grant');
    // The update hook sees one ref: the grant (the approvals) goes in a push of its own, then the policy refs
    // (docs/governance.md; test/gov/update-hook-only.test.ts).
    const root = w.client('user:root', 'root');
    ok(w.gatos(root, ['policy', 'init', '--template', 'regulated', '--force']), 'policy init');
    cpSync(path.join(w.admin, 'gatos/trust'), path.join(root, 'gatos/trust'), { recursive: true });
    ok(w.gatos(root, ['policy', 'publish', '--as', 'user:root']), 'policy publish');
    const env = w.transport.env('user:root');
    ok(w.git(root, ['push', 'origin', ...w.quorum(root)], env), 'push the grant');
    const published = w.git(root, ['push', 'origin', 'refs/gatos/policies/*'], env);
    if (published.status !== 0 || published.stderr.includes('DENIED')) throw new Error(`publishing the policy was refused:\n${published.stderr}`);
    dir['user:root'] = root;
    dir['user:alice'] = w.client('user:alice');
  });

  test('a prune lands only after its archive ref; together in one push the shard never moves without it', () => {
    cli('user:root', ['bus', 'reshard', TOPIC, '--shards', '1', '--segment-messages', '1', '--prune-segments', '1']);
    accepted('user:root', ['refs/gatos/mbus-config/*']);
    sync('user:alice');
    cli('user:alice', ['bus', 'publish', TOPIC, '--key', 'k1']);
    cli('user:alice', ['bus', 'rotate', TOPIC]);
    accepted('user:alice', ['refs/gatos/mbus/*']);
    const sealed = server(['rev-parse', SHARD]);
    const message = server(['rev-parse', `${SHARD}^`]);

    const p = JSON.parse(cli('user:alice', ['bus', 'prune', TOPIC, '--json']).stdout) as { pruned: { commit: string; archive: string; old_tip: string }[]; push: string[] };
    expect(p.pruned).toHaveLength(1);
    const { commit: root, archive } = p.pruned[0] as { commit: string; archive: string; old_tip: string };
    expect(archive).toBe(archiveRef(TOPIC, 0, archive.slice(archive.lastIndexOf('/') + 1)));

    // Both refs in one push. git sends the update of a ref the server has before the refs a push creates, so the
    // shard's update hook runs first and finds no archive on the server: the shard stays, the archive lands.
    const together = w.push(dir['user:alice'] as string, 'user:alice', p.push);
    expect(together.status).not.toBe(0);
    expect(together.stderr).toMatch(/DENIED refs\/gatos\/mbus\/logs\/0/);
    expect(together.stderr).toMatch(/its archive ref .* is not created, not at the old tip/);
    expect(server(['rev-parse', SHARD])).toBe(sealed);
    expect(server(['rev-parse', archive])).toBe(sealed);
    // With the archive on the server, the prune itself is accepted.
    accepted('user:alice', [`+${SHARD}`]);
    expect(server(['rev-parse', SHARD])).toBe(root);
    expect(server(['rev-list', '--count', SHARD])).toBe('1');

    // Putting the pruned history back (the shard rewound to its message) is a rewrite, refused.
    w.git(dir['user:alice'] as string, ['update-ref', SHARD, message]);
    const replay = w.push(dir['user:alice'] as string, 'user:alice', [`+${SHARD}`]);
    expect(replay.status).not.toBe(0);
    expect(replay.stderr).toContain('FF_VIOLATION');
    expect(server(['rev-parse', SHARD])).toBe(root);
  });
});
