/**
 * `remote` and `labels` in the requests the gate builds (decision 0021):
 * remote is the network class of the client address (gatos.network), else
 * gatos.remote, else local/external by transport; labels come from the
 * active policy's labels table by the ref's path.
 */
import { canonicalJson } from './imports';
import { compilePolicy, loadPolicy } from '../../src/rgs';
import { readTrustSet, emptyGraphJson } from '../../src/trust';
import { decideUpdate, readGateConfig, remoteOf, transportOf, type ActiveBundle, type GateConfig, type UpdateFacts } from '../../src/gate';

function config(entries: [string, string][] = []): GateConfig {
  const c = readGateConfig(entries);
  if (!c.ok) throw new Error(c.error.message);
  return c.value;
}

function remote(env: Record<string, string>, entries: [string, string][] = []): string {
  const c = config(entries);
  return remoteOf(transportOf(env), c.networks, c.remote);
}

describe('remote', () => {
  const nets: [string, string][] = [['gatos.network', 'internal 10.0.0.0/8'], ['gatos.network', 'vpn 10.8.0.0/16'], ['gatos.network', 'internal fd00::/8']];

  test('an ssh or http client address takes the class of the most specific block that holds it', () => {
    expect(remote({ SSH_CONNECTION: '10.1.2.3 5555 10.0.0.1 22' }, nets)).toBe('internal');
    expect(remote({ SSH_CONNECTION: '10.8.9.9 5555 10.0.0.1 22' }, nets)).toBe('vpn');
    expect(remote({ REMOTE_ADDR: 'fd12::1', GATEWAY_INTERFACE: 'CGI/1.1' }, nets)).toBe('internal');
  });

  test('no block: gatos.remote, else local for file pushes and external for network ones (fail closed: never internal)', () => {
    expect(remote({ SSH_CONNECTION: '192.0.2.1 5555 10.0.0.1 22' }, nets)).toBe('external');
    expect(remote({ REMOTE_ADDR: '192.0.2.1' })).toBe('external');
    expect(remote({})).toBe('local');
    expect(remote({}, [['gatos.remote', 'internal']])).toBe('internal');
    expect(remote({ SSH_CONNECTION: '192.0.2.1 5555 10.0.0.1 22' }, [...nets, ['gatos.remote', 'partner']])).toBe('partner');
  });

  test('a malformed gatos.network is a gate error, not ignored', () => {
    for (const bad of ['internal', 'Internal 10.0.0.0/8', 'internal 10.0.0.1/8', 'internal 10.0.0.0/33', 'a b c']) {
      const r = readGateConfig([['gatos.network', bad]]);
      expect(r.ok || r.error.code).toBe('GATE_ERROR');
    }
  });
});

describe('the request the gate builds', () => {
  const A = 'a'.repeat(40);
  const B = 'b'.repeat(40);

  function bundle(rgs: string): ActiveBundle {
    const c = compilePolicy([{ file: 'p.rgs', text: rgs }]);
    if (!c.ok) throw new Error(JSON.stringify(c.error));
    const p = loadPolicy(c.value.bytes);
    if (!p.ok) throw new Error(p.error.message);
    const t = readTrustSet(new Map([['graph.json', canonicalJson(emptyGraphJson())]]));
    if (!t.ok) throw new Error(t.error.message);
    return { commit: 'c'.repeat(40), policyCodeRoot: c.value.root, policy: p.value, trust: t.value, folds: [] };
  }
  const facts = (ref: string): UpdateFacts => ({ update: { ref, oldId: A, newId: B }, fastForward: true, commits: [{ id: B, parents: 1, paths: ['event.cbor'], signed: false }], events: [], checkpoints: [], tip: ['commit'] });
  const policy = bundle(`labels:
  "gatos/journal/hr/**": private
rules:
  - id: private-inside
    deny_if: "labels contains 'private' and remote != 'internal'"
  - id: all
    allow_if: true
`);
  const env = (remote: string) => ({ pusher: {}, now: 1_700_000_000, transport: 'ssh' as const, pushOptions: [], remote });

  test('carries the labels of the ref and the remote class, so the seed deny rule can fire', () => {
    const hr = decideUpdate(facts('refs/gatos/journal/hr/user/alice'), policy, config(), env('external'));
    expect(hr.denials.map((d) => [d.ruleId, d.reason])).toEqual([['private-inside', "deny_if holds: 'private' in labels and remote != 'internal' (where labels = ['private'], remote = 'external')"]]);
    expect(decideUpdate(facts('refs/gatos/journal/hr/user/alice'), policy, config(), env('internal')).allowed).toBe(true);
    expect(decideUpdate(facts('refs/gatos/journal/finance/user/alice'), policy, config(), env('external')).allowed).toBe(true);
  });
});
