/**
 * `npm run bench`: runs every bench/*.bench.ts module (compiled to dist/bench)
 * and prints their figures. Pass names to run only some: `npm run bench -- calendar`.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export interface BenchFigure {
  name: string;
  value: number;
  unit: string;
  note?: string;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const only = process.argv.slice(2);
const files = (await readdir(dir)).filter((f) => f.endsWith('.bench.js')).sort();
for (const file of files) {
  const name = file.replace(/\.bench\.js$/, '');
  if (only.length && !only.includes(name)) continue;
  const mod = (await import(new URL(file, import.meta.url).href)) as { bench: () => Promise<BenchFigure[]> };
  process.stdout.write(`\n## ${name}\n`);
  for (const figure of await mod.bench()) {
    const value = Number.isInteger(figure.value) ? String(figure.value) : figure.value.toFixed(3);
    process.stdout.write(`  ${figure.name.padEnd(58)} ${value.padStart(14)} ${figure.unit}${figure.note ? `  (${figure.note})` : ''}\n`);
  }
}
