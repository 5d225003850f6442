/**
 * What the README shows is real: every ```yaml block is a config section
 * that the loader accepts, and every relative link of README.md, docs/ and
 * manifest.yml names a file of the repository.
 *
 * A README block is read as the sections to put into a copy of the bundled
 * examples/slawatch.yaml: each top-level key of the block replaces the
 * example's, the rest of the example stays. A problem is reported at its
 * README line. A block whose first line names another program's file
 * (`# alertmanager.yml`) is that program's config, not slawatch's: skipped.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ConfigError, EXAMPLE_CONFIG_PATH, formatProblem, parseConfig } from '../../src/config/load.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const README = await readFile(join(ROOT, 'README.md'), 'utf8');
const EXAMPLE = await readFile(EXAMPLE_CONFIG_PATH, 'utf8');

interface YamlBlock {
  /** README line of the first line inside the fence. */
  line: number;
  text: string;
}

/** The ```yaml blocks of a Markdown text, also those indented inside list items. */
function yamlBlocks(markdown: string): YamlBlock[] {
  const blocks: YamlBlock[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```ya?ml\s*$/.exec(lines[i]!);
    if (!open) continue;
    const indent = open[1]!.length;
    const end = lines.findIndex((l, j) => j > i && /^\s*```\s*$/.test(l));
    if (end < 0) throw new Error(`README.md:${i + 1}: a yaml block is never closed`);
    const text = lines.slice(i + 1, end).map((l) => l.slice(indent)).join('\n');
    const otherFile = /^#\s*(\S+\.ya?ml)\s*$/.exec(text.split('\n')[0] ?? '')?.[1];
    if (otherFile === undefined || otherFile === 'slawatch.yaml') blocks.push({ line: i + 2, text });
    i = end;
  }
  return blocks;
}

/** The block, followed by the sections of the example it does not replace (so the block's lines come first). */
function withExample(block: YamlBlock): string {
  const own = parseDocument(block.text);
  if (own.errors.length > 0 || !isMap(own.contents)) return block.text; // the loader reports it as it is
  const example = parseDocument(EXAMPLE);
  for (const key of Object.keys(own.toJS() as object)) example.delete(key);
  return `${block.text}\n${example.toString()}`;
}

/** The block checked like `slawatch check-config` does, each problem placed at its README line or in the example. */
function check(block: YamlBlock): string[] {
  const blockLines = block.text.split('\n').length;
  try {
    parseConfig(withExample(block), 'README.md');
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((p) => {
      const where = p.line === undefined ? 'README.md' : p.line <= blockLines ? `README.md:${block.line + p.line - 1}` : 'examples/slawatch.yaml (a section the block keeps)';
      return `${where}: ${formatProblem({ ...p, line: undefined })}`;
    });
  }
}

describe('README config snippets', () => {
  const blocks = yamlBlocks(README);

  it('has config snippets to check', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(2);
  });

  it.each(blocks.map((b) => [b.line, b] as const))('the yaml block at README.md:%i is a valid config section', (_, block) => {
    expect(check(block)).toEqual([]);
  });

  it('places a problem at its README line', () => {
    const text = ['people:', '  alice: { name: Alice }', 'staff:', '  people: [alice, zed]'].join('\n');
    expect(check({ line: 100, text })).toContainEqual('README.md:103: staff.people[1]: unknown person "zed"');
  });
});

/** Relative link targets of a Markdown text: inline links and reference definitions, without #anchors. */
function markdownLinks(markdown: string): string[] {
  const inline = [...markdown.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  const references = [...markdown.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]!);
  return [...inline, ...references].filter((target) => !/^([a-z][a-z0-9+.-]*:|#)/i.test(target)).map((target) => decodeURI(target.split('#')[0]!));
}

/** Files a YAML text mentions in the repository's way: a path with a folder and an extension, or a *.md — not parts of URLs. */
function mentionedFiles(text: string): string[] {
  return [...text.matchAll(/(?<![\w./:-])((?:[\w.-]+\/)+[\w.-]+\.(?:md|ya?ml|json|ts|js)|[\w.-]+\.md)\b/g)].map((m) => m[1]!);
}

describe('relative links', () => {
  const broken = (from: string, targets: string[]) => targets.filter((t) => !existsSync(join(ROOT, dirname(from), t))).map((t) => `${from} → ${t}`);

  it('of README.md and docs/ name files that exist', async () => {
    const documents = ['README.md', ...(await readdir(join(ROOT, 'docs'))).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
    const links = await Promise.all(documents.map(async (d) => [d, markdownLinks(await readFile(join(ROOT, d), 'utf8'))] as const));
    expect(links.find(([d]) => d === 'README.md')![1].length).toBeGreaterThanOrEqual(3);
    expect(links.flatMap(([d, targets]) => broken(d, targets))).toEqual([]);
  });

  it('of manifest.yml name files that exist', async () => {
    const files = mentionedFiles(await readFile(join(ROOT, 'manifest.yml'), 'utf8'));
    expect(files.length).toBeGreaterThan(0);
    expect(broken('manifest.yml', files)).toEqual([]);
  });

  it('are found where they are written, and URLs are not taken for files', () => {
    expect(markdownLinks('see [the report](docs/report.md#flags), [site](https://x.io/a.md), [top](#quick-start) and [a]: examples/x.yaml')).toEqual(['docs/report.md']);
    expect(markdownLinks('[a]: examples/x.yaml\n')).toEqual(['examples/x.yaml']);
    expect(mentionedFiles('# see docs/slack.md; paste it at api.slack.com/apps\nurl: https://h.example.com/slack/events.json # README.md, staff.dm in slawatch.yaml')).toEqual(['docs/slack.md', 'README.md']);
  });
});
