/**
 * The FAQ's `.rgs` rule (seed 000, "Policy language", "Shape": when /
 * allow_if / deny_if / audit, no id), verbatim: it compiles, the compiler
 * assigns its id, and through a real push over file:// it decides: it
 * allows, it denies a requirement not met, and its deny_if fires on a
 * journal the bundle's labels table marks private when the push does not
 * come from the `internal` network class. Over file:// (remote `local`, then
 * gatos.remote) and ssh:// through OpenSSH on loopback (remote `external`,
 * then the gatos.network block holding 127.0.0.1). Read from
 * ../shared/spec/seeds when present, else from the copy below.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compilePolicy } from '../../src/rgs';
import { formatTime } from '../../src/trust';
import { expectRefused } from '../helpers/gate-scenarios';
import { GateWorld, fileTransport, type GateTransport, type Run } from '../helpers/gate-world';
import { sshdAvailable, startSshGitServer, type SshGitServer } from '../helpers/sshd';
import { tmpDir } from '../helpers/tmp';
import { SCENARIO_USERS, sshScenarioTransport } from '../transports/gate-transports';
import { SPEC_DIR } from '../helpers/vectors';

jest.setTimeout(180_000);

/** The snippet as the FAQ prints it (seed 000, section 5, "Shape"), for a clone without ../shared. */
const COPY = `when: { intent: "write", path: "gatos/journal/finance/**" }
allow_if:
    - "caps includes 'journal:append'"
    - "trust[actor].level >= 2"
deny_if:
    - "labels contains 'private' and remote != 'internal'"
audit: true
`;

/** The first yaml block after the "Policy language" heading of the FAQ, or undefined without the seeds. */
function seedRule(): { text: string; from: string } {
  const dir = path.join(SPEC_DIR, 'seeds');
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith('000_')) : undefined;
  if (!file) return { text: COPY, from: 'the copy in this test' };
  const faq = readFileSync(path.join(dir, file), 'utf8');
  const section = faq.slice(faq.indexOf('Policy language'));
  const m = /```yaml\n([\s\S]*?)```/.exec(section);
  if (!m) throw new Error(`no yaml block after "Policy language" in ${file}`);
  return { text: m[1] as string, from: file };
}

const must = (r: Run, what: string): Run => {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r;
};

interface Via {
  transport(): GateTransport;
  /** The remote class a push gets with nothing configured. */
  readonly outside: string;
  /** The server setting that makes the push internal. */
  readonly internal: readonly [string, string];
}

function seedSuite(via: Via): void {
  const seed = seedRule();
  const FINANCE = 'refs/gatos/journal/finance/user';
  let w: GateWorld;
  let root: string;
  let alice: string;
  let ruleId: string;

  test(`compiles as written (from ${seed.from}), with a compiler-assigned id`, () => {
    expect(seed.text).toBe(COPY);
    const r = compilePolicy([{ file: 'seed.rgs', text: seed.text }]);
    if (!r.ok) throw new Error(r.error.map((d) => d.message).join('\n'));
    expect(r.value.warnings).toEqual([]);
    expect(r.value.document.rules).toHaveLength(1);
    ruleId = r.value.document.rules[0]?.id as string;
    expect(ruleId).toMatch(/^rule:[0-9a-f]{16}$/);
  });

  test('a bundle holding it and a labels table (finance journals are private) is published', () => {
    w = new GateWorld({ format: 'sha1', template: 'minimal', transport: via.transport() }).setup();
    root = w.client('user:root');
    const rootEnv = w.transport.env('user:root');
    must(w.gatos(root, ['policy', 'init', '--template', 'minimal', '--force'], rootEnv), 'policy init');
    cpSync(path.join(w.admin, 'gatos/trust'), path.join(root, 'gatos/trust'), { recursive: true });
    // root (trust 9) gets journal:append; alice has it already, at trust 1.
    must(w.gatos(root, ['trust', 'grant', '--to', 'user:root', '--caps', 'journal:append', '--exp', formatTime(w.now + 86400), '--as', 'user:root']), 'grant root');
    writeFileSync(path.join(root, 'gatos/policies/seed.rgs'), seed.text);
    writeFileSync(path.join(root, 'gatos/policies/labels.rgs'), 'labels:\n  "gatos/journal/finance/**": private\n');
    const compiled = must(w.gatos(root, ['policyc', 'gatos/policies', '-o', path.join(w.root, 'p.rgc')]), 'policyc');
    expect(compiled.stderr).not.toContain('warning');
    expect(compiled.stderr).toContain(`seed.rgs:1:1: a rule without id is ${ruleId}`);
    must(w.gatos(root, ['policy', 'publish', '--as', 'user:root']), 'policy publish');
    must(w.push(root, 'user:root', ['refs/gatos/policies/*']), 'push bundle');
    // The first push of a journal creates it (intent create): the seed rule, scoped to write, does not apply.
    w.addEvent(root, 'user:root', 'finance');
    must(w.push(root, 'user:root', [`${FINANCE}/root`]), 'create root finance journal');
    alice = w.client('user:alice');
    w.addEvent(alice, 'user:alice', 'finance');
    must(w.push(alice, 'user:alice', [`${FINANCE}/alice`]), 'create alice finance journal');
  });

  test(`deny_if fires: a private journal appended from outside the internal network (remote ${via.outside})`, () => {
    w.addEvent(root, 'user:root', 'finance');
    expectRefused(w, () => {
      const r = w.push(root, 'user:root', [`${FINANCE}/root`]);
      expect(r.stderr).toContain(`rule:   ${ruleId}`);
      expect(r.stderr).toContain(`reason: deny_if holds: 'private' in labels and remote != 'internal' (where labels = ['private'], remote = '${via.outside}')`);
      return r;
    }, 'POLICY_DENY', ruleId);
  });

  test(`it allows the same append once the host classifies the push as internal (${via.internal.join(' ')})`, () => {
    must(w.git(w.root, ['--git-dir', w.gitDir, 'config', '--add', ...via.internal]), 'config');
    const r = w.push(root, 'user:root', [`${FINANCE}/root`]);
    expect([r.status, r.stderr]).toEqual([0, expect.not.stringContaining('DENIED') as unknown]);
  });

  test('allow_if denies an actor below trust level 2, naming the assigned id', () => {
    w.addEvent(alice, 'user:alice', 'finance');
    expectRefused(w, () => {
      const r = w.push(alice, 'user:alice', [`${FINANCE}/alice`]);
      expect(r.stderr).toContain("reason: requirement not met: trust[actor.id].level >= 2 (where actor.id = 'user:alice', trust[actor.id] = {level: 1})");
      return r;
    }, 'POLICY_DENY', ruleId);
  });
}

describe("the FAQ's .rgs rule, verbatim, through a real push over file://", () => {
  seedSuite({ transport: () => fileTransport, outside: 'local', internal: ['gatos.remote', 'internal'] });
});

const overSsh = sshdAvailable() ? describe : describe.skip;
overSsh("the FAQ's .rgs rule, verbatim, through a real push over ssh:// (OpenSSH on loopback)", () => {
  const repoRoot = tmpDir('gatos-seed-ssh-');
  let server: SshGitServer | undefined;
  beforeAll(async () => {
    server = await startSshGitServer({ repoRoot, users: SCENARIO_USERS });
  });
  afterAll(async () => {
    await server?.stop();
  });
  const transport = (): GateTransport =>
    sshScenarioTransport({
      transport: 'ssh',
      repoRoot,
      remote: (user, repo) => {
        if (!server) throw new Error('the ssh server is not running');
        return server.remote(user, repo);
      },
    });
  seedSuite({ transport, outside: 'external', internal: ['gatos.network', 'internal 127.0.0.0/8'] });
});
