/** Bundles a test fixture into one CommonJS file a hook or child process can run with plain node. */
import { build } from 'esbuild';
import path from 'node:path';

export async function bundleFixture(entry: string, outDir: string): Promise<string> {
  const outfile = path.join(outDir, `${path.basename(entry, '.ts')}.cjs`);
  await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', target: 'node20', format: 'cjs', logLevel: 'error' });
  return outfile;
}
