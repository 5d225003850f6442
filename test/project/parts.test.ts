/**
 * The parts of the tree and how they depend on each other, measured from the
 * imports themselves: no two parts import each other, directly or around a
 * longer circle, and no adapter touches the store or the outbox. (A part is
 * a folder under src/ or adapters/; type-only imports count too: a circle of
 * types is a circle of knowledge.)
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sources(path)));
    else if (entry.name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** `src/service/desk.ts` → `src/service`; `adapters/slack/port.ts` → `adapters/slack`; a file directly in adapters/ is its own part. */
function partOf(file: string): string {
  const [top, second] = file.split('/');
  return second && !second.endsWith('.ts') ? `${top}/${second}` : file;
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.{1,2}\/[^'"]+)['"]/gm;

async function importGraph(): Promise<Map<string, Map<string, string[]>>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of [...(await sources('src')), ...(await sources('adapters'))]) {
    const text = await readFile(join(ROOT, file), 'utf8');
    for (const match of text.matchAll(IMPORT)) {
      const target = relative(ROOT, resolve(ROOT, dirname(file), (match[1] as string).replace(/\.js$/, '.ts')));
      const from = partOf(file);
      const to = partOf(target);
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      edges.set(to, [...(edges.get(to) ?? []), `${file} → ${target}`]);
      graph.set(from, edges);
    }
  }
  return graph;
}

/** Every circle of parts, each as its parts in order with the imports that close each step. */
function circles(graph: Map<string, Map<string, string[]>>): string[] {
  const found = new Set<string>();
  const walk = (start: string, at: string, path: string[]) => {
    for (const [next, why] of graph.get(at) ?? []) {
      if (next === start) {
        const parts = [...path, at];
        if (parts[0] === [...parts].sort()[0]) found.add(parts.map((p, i) => `${p} (${(graph.get(p)?.get(parts[i + 1] ?? start) ?? why)[0]})`).join(' → '));
      } else if (!path.includes(next) && next !== at && next > start) {
        walk(start, next, [...path, at]);
      }
    }
  };
  for (const part of graph.keys()) walk(part, part, []);
  return [...found];
}

describe('the parts of the tree', () => {
  it('form no circle: no two parts depend on each other, directly or around', async () => {
    expect(circles(await importGraph())).toEqual([]);
  });

  it('adapters reach the service through its port, never the store or the outbox', async () => {
    const graph = await importGraph();
    const reaching = [...graph].filter(([from]) => from.startsWith('adapters/')).flatMap(([, edges]) => [...(edges.get('src/store') ?? []), ...[...edges].filter(([to]) => to === 'src/service').flatMap(([, why]) => why.filter((w) => /service\/(outbox|notify|delivery)\.ts$/.test(w)))]);
    expect(reaching).toEqual([]);
  });
});
