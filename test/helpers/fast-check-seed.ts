/**
 * Every property test's failure says how to replay it (jest runs this
 * before each test file: setupFilesAfterEnv in jest.config.cjs). fast-check
 * draws a fresh seed per run unless a test fixes one; either way the seed
 * and the path to the shrunk counterexample go into the failure message,
 * with the command that replays exactly that case:
 *
 *   FC_SEED=<seed> FC_PATH=<path> npx jest <file> -t '<test name>'
 *
 * FC_SEED (and FC_PATH) set the seed of every property that does not fix
 * its own; a test that fixes its seed replays by being run again.
 */
import path from 'node:path';
import fc from 'fast-check';

const seed = process.env.FC_SEED;
const replayPath = process.env.FC_PATH;

function replayHint(s: number, p: string | undefined): string {
  const state = expect.getState();
  const file = state.testPath ? ` ${path.relative(process.cwd(), state.testPath)}` : '';
  const name = state.currentTestName ? ` -t '${state.currentTestName.replace(/'/g, "'\\''")}'` : '';
  return `Replay this case: FC_SEED=${s}${p ? ` FC_PATH=${p}` : ''} npx jest${file}${name}`;
}

fc.configureGlobal({
  ...(seed !== undefined && /^-?\d+$/.test(seed) ? { seed: Number(seed), ...(replayPath ? { path: replayPath } : {}) } : {}),
  reporter: (details) => {
    if (!details.failed) return;
    const message = fc.defaultReportMessage(details) ?? 'property failed';
    throw new Error(`${message}\n\n${replayHint(details.seed, details.counterexamplePath ?? undefined)}`, { cause: details.errorInstance });
  },
});
