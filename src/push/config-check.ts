/**
 * The gate's settings of one bare repository checked before they are used:
 * its `gatos.*` git config entries and, when given, a gate.yaml (a
 * template's, which install turns into those entries). Shared by `gatos
 * config check` and install, which refuses before writing anything when
 * an error is found. The checks themselves are pure (src/gate/settings-check.ts). Adapter.
 */
import { spawnSync } from 'node:child_process';
import { err, gateError, ok, type Result } from '../core/result';
import { checkGateYaml, checkGitSettings, problemLine, type SettingProblem } from '../gate';
import { SETTINGS_ARGS, settingEntries } from './settings';

const GATE_YAML = 'gatos/config/gate.yaml';

/** Where the gate.yaml checked comes from, for messages, and its text. */
export interface GateYaml {
  readonly file: string;
  readonly text: string;
}

export function settingProblems(gitDir: string, yaml?: GateYaml): Result<SettingProblem[]> {
  const r = spawnSync('git', [...SETTINGS_ARGS], { env: { ...process.env, GIT_DIR: gitDir }, encoding: 'utf8' });
  if (r.status !== 0 && r.status !== 1) return err(gateError('GIT_ERROR', `git config --get-regexp ^gatos\\. in ${gitDir} failed: ${(r.stderr ?? '').trim()}`));
  const problems = checkGitSettings(settingEntries(r.stdout ?? ''));
  return ok([...(yaml ? checkGateYaml(yaml.text, yaml.file) : []), ...problems]);
}

/**
 * Install's check of the repository's settings and the template's gate.yaml
 * (in `files`): an error refuses the install, naming every problem, before
 * anything is written; warnings come back as lines for install to print.
 */
export function refuseBadSettings(gitDir: string, files: ReadonlyMap<string, Uint8Array>, template: string): Result<string[]> {
  const bytes = files.get(GATE_YAML);
  const p = settingProblems(gitDir, bytes ? { file: `template ${template}: ${GATE_YAML}`, text: Buffer.from(bytes).toString('utf8') } : undefined);
  if (!p.ok) return p;
  const errors = p.value.filter((x) => x.severity === 'error');
  if (errors.length === 0) return ok(p.value.map(problemLine));
  return err(gateError('VALUE_INVALID', `the gate's settings have ${errors.length} problem${errors.length === 1 ? '' : 's'}; nothing was written:\n${errors.map(problemLine).join('\n')}`, { hint: 'fix them, then install again (gatos config check --repo <bare> lists them at any time)' }));
}
