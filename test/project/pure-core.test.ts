/**
 * The pure core (domain, sla, oncall, escalation, availability) as it runs: loading every
 * compiled module of it loads neither the config's validator (zod, the
 * config schema) nor a module of an outer layer — what lint checks import by
 * import, checked here for everything the core pulls in. Reads dist/, so it
 * needs the build (`npm test` builds first).
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const DIST = fileURLToPath(new URL('../../dist/src/', import.meta.url));

/** Prints every module a module outside node_modules asks for, once resolved. */
const HOOK = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (context.parentURL && !context.parentURL.includes('/node_modules/')) process.stdout.write(resolved.url + '\\n');
  return resolved;
}`;

const LOAD_THE_CORE = `
import { register } from 'node:module';
import { readdirSync } from 'node:fs';
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(HOOK)}));
const root = process.argv[1];
for (const part of ['domain', 'sla', 'oncall', 'escalation', 'availability']) {
  for (const file of readdirSync(root + part)) if (file.endsWith('.js')) await import(root + part + '/' + file);
}
`;

it('loads no zod, no config schema and nothing of an outer layer', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', LOAD_THE_CORE, DIST]);
  const loaded = [...new Set(stdout.split('\n').filter(Boolean))];
  expect(loaded.some((url) => url.endsWith('/dist/src/domain/ticket.js')), 'dist/src/domain is missing: run `npm run build` first').toBe(true);
  expect(loaded.filter((url) => /\/node_modules\/zod\/|\/config\/schema\.js$/.test(url))).toEqual([]);
  expect(loaded.filter((url) => /\/dist\/(adapters\/|src\/(service|store|scheduler|cli|report|observability)\/)/.test(url))).toEqual([]);
});
