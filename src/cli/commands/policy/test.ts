/**
 * `gatos policy test <dir>`: compile the .rgs files in <dir> and run the
 * fixtures beside them (*.test.yaml / *.test.json: request -> expected
 * decision), like `opa test`. A failure shows the request, the expected and
 * the actual decision with rule ids. Exit 1 when any fixture fails.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CommandModule } from 'yargs';
import { compilePolicy, describeDecision, describeExpectation, isFixtureFile, loadPolicy, parseFixtures, runFixture, type Fixture } from '../../../rgs';
import { CliError, EXIT, setExitCode } from '../../errors';
import { JSON_OPTION, printJson } from '../../json';
import { listFiles, printDiagnostics, readSources } from './sources';

interface Args {
  dir: string;
  json: boolean;
}

export const policyTestCommand: CommandModule<object, Args> = {
  command: 'test <dir>',
  describe: 'Compile the policy in <dir> and check its fixtures (*.test.yaml, *.test.json): request -> expected decision',
  builder: (y) => y.positional('dir', { type: 'string', demandOption: true, describe: 'directory with .rgs sources and *.test.yaml fixtures' }).options(JSON_OPTION),
  handler: (args) => {
    const sources = readSources(args.dir);
    const compiled = compilePolicy(sources);
    if (!compiled.ok) {
      printDiagnostics(compiled.error, sources);
      throw new CliError('COMPILE_ERROR', `the policy in ${args.dir} does not compile`, 'fix the errors above, then run the tests again');
    }
    printDiagnostics(compiled.value.warnings, sources);
    const policy = loadPolicy(compiled.value.bytes);
    if (!policy.ok) throw CliError.from(policy.error, EXIT.INTERNAL);
    const fixtures = listFiles(args.dir, isFixtureFile).flatMap(readFixtures);
    if (fixtures.length === 0) throw new CliError('NOT_FOUND', `${args.dir}: no fixtures (*.test.yaml or *.test.json) found`, 'see docs/rgs.md, "Policy tests"');
    let failed = 0;
    const results: { file: string; name: string; ok: boolean; mismatches: string[] }[] = [];
    for (const f of fixtures) {
      const { actual, mismatches } = runFixture(policy.value, f);
      results.push({ file: f.file, name: f.name, ok: mismatches.length === 0, mismatches: [...mismatches] });
      if (args.json) {
        if (mismatches.length > 0) failed++;
        continue;
      }
      if (mismatches.length === 0) {
        process.stdout.write(`ok   ${f.file}: ${f.name}\n`);
        continue;
      }
      failed++;
      process.stdout.write(
        [
          `FAIL ${f.file}: ${f.name}`,
          `  request:  ${JSON.stringify(f.request)}`,
          `  expected: ${describeExpectation(f.expect)}`,
          `  actual:   ${describeDecision(actual)}`,
          ...mismatches.map((m) => `  - ${m}`),
        ].join('\n') + '\n',
      );
    }
    if (args.json) printJson({ policy_root: compiled.value.root, passed: fixtures.length - failed, failed, tests: results });
    else process.stdout.write(`\npolicy_root = ${compiled.value.root}\n${fixtures.length - failed} passed, ${failed} failed\n`);
    if (failed > 0) setExitCode(EXIT.NEGATIVE);
  },
};

function readFixtures(file: string): Fixture[] {
  const parsed = parseFixtures(readFileSync(file, 'utf8'), path.relative(process.cwd(), file) || file);
  if (!parsed.ok) throw CliError.from(parsed.error);
  return parsed.value;
}
