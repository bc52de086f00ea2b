import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI, CLI_BUNDLE, runCli } from '../helpers/cli';
import { tmpDir } from '../helpers/tmp';
import { VERSION } from '../../src/core/version';

describe('gatos CLI', () => {
  test('--help lists the commands and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('gatos <command>');
    expect(r.stdout).toContain('version');
    expect(r.stdout).toContain('policyc');
  });

  test('an unknown command exits 2 with a clear message', () => {
    const r = runCli(['frobnicate']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument: frobnicate|Unknown command/i);
    expect(r.stderr).toContain('--help');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  test('an unknown flag exits 2', () => {
    const r = runCli(['version', '--no-such-flag']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/Unknown argument/i);
  });

  test('a missing required option stops the command before it runs (exit 2, nothing attempted)', () => {
    const dir = tmpDir('gatos-usage-');
    const r = runCli(['foldc', 'x.yaml'], { cwd: dir });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('Missing required argument: output');
    expect(r.stderr).not.toMatch(/cannot (read|write)|NOT_FOUND|internal error/);
  });

  test('no command at all exits 2 and shows usage', () => {
    const r = runCli([]);
    expect(r.status).toBe(2);
  });

  test('works as a git subcommand when invoked as git-gatos', () => {
    const bin = tmpDir('gatos-bin-');
    symlinkSync(CLI, path.join(bin, 'git-gatos'));
    const r = spawnSync('git', ['gatos', 'version'], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`gatos ${VERSION}`);
    // git turns '--help' into 'git help gatos' (a man page); '-h' reaches us.
    const help = spawnSync('git', ['gatos', '-h'], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } });
    expect(help.stdout).toContain('git gatos <command>');
  });

  test('the version in the code is the version in package.json', () => {
    const pkg = JSON.parse(readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
  });
});

describe('gatos version', () => {
  test('names the engines whose semantics checkpoints and policies are bound to', () => {
    const r = runCli(['version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^fold-engine echo@\d+\.\d+\.\d+\+elc@\d+\.\d+\.\d+\+num=q32\.32\+rng=pcg32@\d+$/m);
    expect(r.stdout).toMatch(/^rgc v\d+$/m);
    expect(r.stdout).toMatch(/^rgf v\d+$/m);
  });

  test('every command has its own --help', () => {
    for (const cmd of ['policyc', 'policy', 'foldc', 'fold', 'lint', 'init', 'key', 'trust', 'event', 'install', 'gate', 'audit', 'demo', 'epoch', 'bus', 'doctor', 'repair', 'serve', 'gov']) {
      const r = runCli([cmd, '--help']);
      expect({ cmd, status: r.status }).toEqual({ cmd, status: 0 });
      expect(r.stdout).toContain(`gatos ${cmd}`);
    }
  });
});

describe('single-file bundles', () => {
  test('the CLI and the hooks run from a folder with no node_modules anywhere above it', () => {
    const dir = tmpDir('gatos-standalone-');
    for (const [from, to] of [[CLI, 'gatos.cjs'], [CLI_BUNDLE, 'gatos.bundle.cjs'], [path.resolve(__dirname, '../../hooks/pre-receive'), 'pre-receive']] as const) {
      copyFileSync(from, path.join(dir, to));
    }
    const r = spawnSync(process.execPath, [path.join(dir, 'gatos.cjs'), 'version'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^gatos \d+\.\d+\.\d+$/m);
    // Copied alone, the two commands that read files shipped beside it say which folder is missing (docs/cli.md, "One file").
    const bare = path.join(dir, 'server.git');
    spawnSync('git', ['init', '-q', '--bare', bare]);
    const inst = spawnSync(process.execPath, [path.join(dir, 'gatos.cjs'), 'install', bare], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(inst.status).toBe(2);
    expect(inst.stderr).toMatch(/^error\[NOT_FOUND\]: .*hooks/);
    expect(inst.stderr).not.toMatch(/\n\s+at /);
    // A hook run outside git has no repository: it must refuse (non-zero, a message), not crash on a missing module.
    const h = spawnSync(process.execPath, [path.join(dir, 'pre-receive')], { cwd: dir, encoding: 'utf8', input: '', env: { PATH: process.env.PATH ?? '' } });
    expect(h.stderr).not.toMatch(/Cannot find module/);
    expect(h.status).not.toBe(0);
  });

  test('the CLI keeps a V8 code cache in the user cache folder: written once, then used; a corrupt or missing one changes nothing', () => {
    const dir = tmpDir('gatos-cli-cache-');
    for (const [from, to] of [[CLI, 'gatos.cjs'], [CLI_BUNDLE, 'gatos.bundle.cjs']] as const) copyFileSync(from, path.join(dir, to));
    const cache = path.join(dir, 'cache');
    const version = (env: Record<string, string>) => spawnSync(process.execPath, [path.join(dir, 'gatos.cjs'), 'version'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });
    const first = version({ XDG_CACHE_HOME: cache });
    expect([first.status, first.stderr]).toEqual([0, '']);
    const files = readdirSync(path.join(cache, 'gatos-gate'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^gatos\.bundle\.cjs-[0-9a-f]{64}-node.*\.v8$/);
    const file = path.join(cache, 'gatos-gate', files[0] as string);
    const written = statSync(file).mtimeMs;
    // Used, not rewritten: the second run leaves the file as it was.
    expect(version({ XDG_CACHE_HOME: cache }).stdout).toBe(first.stdout);
    expect(statSync(file).mtimeMs).toBe(written);
    // A corrupt cache is no cache: same output, and a whole one replaces it.
    const bytes = readFileSync(file);
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0xff, bytes.length - 1);
    writeFileSync(file, bytes);
    const again = version({ XDG_CACHE_HOME: cache });
    expect([again.status, again.stdout, again.stderr]).toEqual([0, first.stdout, '']);
    expect(readFileSync(file).equals(bytes)).toBe(false);
    // GATOS_CACHE_DIR=off writes nothing; an unwritable cache folder is no error either.
    const off = version({ HOME: path.join(dir, 'home-off'), GATOS_CACHE_DIR: 'off' });
    expect([off.status, off.stdout, off.stderr]).toEqual([0, first.stdout, '']);
    expect(existsSync(path.join(dir, 'home-off'))).toBe(false);
    writeFileSync(path.join(dir, 'not-a-dir'), '');
    const blocked = version({ GATOS_CACHE_DIR: path.join(dir, 'not-a-dir', 'cache') });
    expect([blocked.status, blocked.stdout, blocked.stderr]).toEqual([0, first.stdout, '']);
    // Without its bundle the program says what is missing, with no stack trace.
    rmSync(path.join(dir, 'gatos.bundle.cjs'));
    const lost = version({});
    expect(lost.status).toBe(3);
    expect(lost.stderr).toMatch(/^internal error\[GATE_ERROR\]: cannot load .*gatos\.bundle\.cjs/);
    expect(lost.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('--version and completion', () => {
  test('--version prints the version as gatos version does', () => {
    const r = runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`gatos ${VERSION}\n`);
  });

  test('the bash completion script completes commands and options in a real bash', () => {
    const bin = tmpDir('gatos-bin-');
    symlinkSync(CLI, path.join(bin, 'gatos'));
    const env = { ...process.env, PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH}`, SHELL: '/bin/bash' };
    const script = runCli(['completion'], { env }).stdout;
    expect(script).toContain('complete -o bashdefault -o default -F _gatos_yargs_completions gatos');
    // What bash does on <TAB>: set COMP_WORDS/COMP_CWORD and call the function the script registered.
    const complete = (words: string[]) => {
      const probe = `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _gatos_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync('bash', ['-c', probe], { encoding: 'utf8', env });
      return r.stdout.trim().split('\n');
    };
    expect(complete(['gatos', 'pol'])).toEqual(['policyc', 'policy']);
    expect(complete(['gatos', 'audit', ''])).toContain('log');
    expect(complete(['gatos', 'event', 'add', '--pay'])).toEqual(['--payload']);
  });

  const GIT_COMPLETION = '/usr/share/bash-completion/completions/git';
  (existsSync(GIT_COMPLETION) || process.env.CI === 'true' ? test : test.skip)("git gatos <TAB> through git's own bash completion", () => {
    const bin = tmpDir('gatos-bin-');
    symlinkSync(CLI, path.join(bin, 'gatos'));
    symlinkSync(CLI, path.join(bin, 'git-gatos'));
    const env = { ...process.env, PATH: `${bin}:${path.dirname(process.execPath)}:${process.env.PATH}`, SHELL: '/bin/bash' };
    const complete = (line: string) => {
      const words = line.split(' ');
      const probe = `source ${GIT_COMPLETION}; eval "$(gatos completion)"; COMPREPLY=(); COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE='${line}'; COMP_POINT=\${#COMP_LINE}; __git_wrap__git_main; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return spawnSync('bash', ['-c', probe], { encoding: 'utf8', env }).stdout.trim().split('\n').map((w) => w.trim());
    };
    expect(complete('git gatos pol')).toEqual(['policyc', 'policy']);
    expect(complete('git gatos audit ')).toEqual(['log']);
  });

  test('git gatos completion prints the script for gatos (a shell function cannot be named after "git gatos")', () => {
    const bin = tmpDir('gatos-bin-');
    symlinkSync(CLI, path.join(bin, 'git-gatos'));
    const r = spawnSync('git', ['gatos', 'completion'], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SHELL: '/bin/bash' } });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('-F _gatos_yargs_completions gatos');
  });
});
