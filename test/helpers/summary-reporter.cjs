// Prints the plain closing line CI reads: 'tests: N passed, N failed, N skipped',
// after the slowest tests and suites, so the 15-minute CI budget is watched with figures.
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const tests = [];
    const suites = [];
    for (const suite of results.testResults) {
      const file = suite.testFilePath.replace(process.cwd() + '/', '');
      suites.push({ name: file, ms: suite.perfStats.end - suite.perfStats.start });
      for (const t of suite.testResults) tests.push({ name: `${file}: ${t.fullName}`, ms: t.duration ?? 0 });
    }
    const top = (list) => list.sort((a, b) => b.ms - a.ms).slice(0, 12).map((x) => `  ${(x.ms / 1000).toFixed(1).padStart(7)} s  ${x.name}`).join('\n');
    const total = suites.reduce((s, x) => s + x.ms, 0);
    process.stdout.write(`\nslowest suites (${(total / 1000).toFixed(0)} s of suite time in all):\n${top(suites)}\nslowest tests:\n${top(tests)}\n`);
    const skipped = results.numPendingTests + results.numTodoTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    process.stdout.write(`\ntests: ${results.numPassedTests} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
module.exports = SummaryReporter;
