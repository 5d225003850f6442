/**
 * What `npm publish` would ship: the compiled app (dist/src, dist/adapters)
 * with its message catalogues, the command and the examples — never tests, the testkit or benches, in
 * source or compiled. Reads `npm pack --dry-run` of this checkout, so it
 * needs the build (`npm test` builds first).
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url);

it('packs the command and the compiled app, and no test, testkit or bench file', async () => {
  const { stdout } = await promisify(execFile)('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT });
  const [pack] = JSON.parse(stdout) as [{ files: { path: string }[] }];
  const paths = pack.files.map((f) => f.path);
  const manifest = JSON.parse(await readFile(new URL('package.json', ROOT), 'utf8')) as { bin: Record<string, string> };

  expect(paths.filter((p) => /^(dist\/)?(test|testkit|bench)\//.test(p))).toEqual([]);
  expect(paths).toContain(manifest.bin.slawatch);
  expect(paths, 'dist/src/cli/main.js is missing: run `npm run build` first').toContain('dist/src/cli/main.js');
  expect(paths).toContain('examples/slawatch.yaml');
  // The message catalogues ship beside the compiled code that reads them (every file of src/i18n/locales).
  const catalogues = (await readdir(new URL('src/i18n/locales/', ROOT))).filter((f) => f.endsWith('.json'));
  expect(catalogues).toContain('zh-CN.json');
  for (const file of catalogues) expect(paths).toContain(`dist/src/i18n/locales/${file}`);
});
