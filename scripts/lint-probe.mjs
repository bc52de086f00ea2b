// Lints source texts as if they sat at given paths, with the project's own
// eslint.config.mjs, in one process (jest cannot load the flat config itself).
// stdin: {"cases":[{"code":"...","filePath":"src/gate/probe.ts"}],"ignored":["path"]}
// stdout: {"cases":[[{"ruleId":"...","line":1}]],"ignored":[true]}
// Used by test/lint/pure-core-fence.test.ts.
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const input = JSON.parse(readFileSync(0, 'utf8'));
const eslint = new ESLint({ cwd: root });
const cases = [];
for (const c of input.cases ?? []) {
  const [r] = await eslint.lintText(c.code, { filePath: path.join(root, c.filePath) });
  cases.push((r?.messages ?? []).map((m) => ({ ruleId: m.ruleId, line: m.line, message: m.message })));
}
const ignored = [];
for (const p of input.ignored ?? []) ignored.push(await eslint.isPathIgnored(path.join(root, p)));
process.stdout.write(JSON.stringify({ cases, ignored }));
