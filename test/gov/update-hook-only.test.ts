/**
 * A regulated policy change with only the update hook installed
 * (docs/governance.md). The update hook decides one ref at a time, and a
 * non-atomic push writes each ref right after its update hook: once
 * refs/gatos/policies/active has moved, the change's bundle-id ref reaches
 * the gate under the bundle the change made active. It used to be refused
 * there (that bundle never judged the proposal: "0 of 2 approvals")
 * whenever the bundle id sorted after `active`; it is now decided under the
 * proposal's base, as pre-receive decides the whole push. The pushes here
 * send `active` first and the bundle-id ref in a second push, so the order
 * that used to fail is the one tested, whatever the id.
 */
import { cpSync } from 'node:fs';
import path from 'node:path';
import { GateWorld } from '../helpers/gate-world';

let w: GateWorld;
let root: string;
let grant: string[];

function must<T extends { status: number | null; stdout: string; stderr: string }>(r: T, what: string): T {
  if (r.status !== 0) throw new Error(`${what}: ${r.stdout}\n${r.stderr}`);
  return r;
}

beforeAll(() => {
  w = new GateWorld({ format: 'sha1', template: 'regulated', hooks: 'update' }).setup();
  root = w.client('user:root', 'root');
  must(w.gatos(root, ['policy', 'init', '--template', 'regulated', '--force']), 'policy init');
  cpSync(path.join(w.admin, 'gatos/trust'), path.join(root, 'gatos/trust'), { recursive: true });
  must(w.gatos(root, ['policy', 'publish', '--as', 'user:root']), 'policy publish');
  grant = w.quorum(root);
}, 120_000);

describe('update hook only: a regulated policy change', () => {
  test('the grant in one push, then the policy refs in the next: both land', () => {
    expect(grant).toHaveLength(1);
    const env = w.transport.env('user:root');
    // The update hook of a ref sees only refs written before it, and git sends the updates of existing refs before
    // the refs a push creates: the grant goes first, in its own push.
    const first = w.git(root, ['push', 'origin', ...grant], env);
    expect(first.status).toBe(0);
    // `active` exists on the server, the bundle-id ref does not: git sends `active` first, whatever the id.
    const second = w.git(root, ['push', 'origin', 'refs/gatos/policies/*'], env);
    expect(second.stderr).not.toContain('DENIED');
    expect(second.status).toBe(0);
    const active = must(w.git(root, ['rev-parse', 'refs/gatos/policies/active']), 'rev-parse').stdout.trim();
    const idRef = must(w.git(root, ['for-each-ref', '--format=%(refname)', '--points-at', active, 'refs/gatos/policies/']), 'for-each-ref')
      .stdout.split('\n')
      .find((r) => /^refs\/gatos\/policies\/[0-9a-f]{64}$/.test(r));
    expect(idRef).toBeDefined();
    const server = w.serverRefs();
    expect(server).toContain(`${active} refs/gatos/policies/active`);
    expect(server).toContain(`${active} ${idRef as string}`);
  }, 60_000);
});
