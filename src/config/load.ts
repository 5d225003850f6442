/**
 * Reads slawatch.yaml, validates it, and turns every problem into a line a
 * person can act on: `customers[2].tier: unknown tier "gold" (line 41)`.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isAlias, isCollection, isNode, isPair, isScalar, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { configSchema, type Config } from './schema.js';

export interface ConfigProblem {
  path: string;
  message: string;
  line?: number;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ConfigProblem[],
  ) {
    super(`${file}: invalid config\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? '' : ` (line ${problem.line})`;
  return problem.path ? `${problem.path}: ${problem.message}${where}` : `${problem.message}${where}`;
}

/**
 * The example config shipped with slawatch, used by `slawatch start` when no
 * file is given. Found from this module whether it runs compiled (dist/src/config)
 * or from source (src/config).
 */
export const EXAMPLE_CONFIG_PATH = [new URL('../../examples/slawatch.yaml', import.meta.url), new URL('../../../examples/slawatch.yaml', import.meta.url)]
  .map((url) => fileURLToPath(url))
  .find((path) => existsSync(path)) ?? fileURLToPath(new URL('../../../examples/slawatch.yaml', import.meta.url));

/** The config to run on: the one given, else ./slawatch.yaml, else the bundled example. */
export function resolveConfigPath(given: string | undefined): { path: string; bundled: boolean } {
  if (given) return { path: given, bundled: false };
  if (existsSync('slawatch.yaml')) return { path: 'slawatch.yaml', bundled: false };
  return { path: EXAMPLE_CONFIG_PATH, bundled: true };
}

export async function loadConfigFile(file: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (err as Error).message;
    throw new ConfigError(file, [{ path: '', message: reason }]);
  }
  return parseConfig(text, file);
}

/** Parses and validates YAML text; throws ConfigError listing every problem with its line. */
export function parseConfig(text: string, file = '<config>'): Config {
  const lineCounter = new LineCounter();
  // Merge keys (`<<: *defaults`) are not YAML 1.2 core, but configs use them to share defaults.
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        message: `YAML syntax error: ${e.message.split('\n')[0]}`,
        line: lineCounter.linePos(e.pos[0]).line,
      })),
    );
  }
  const bomb = aliasExpansionProblem(doc, lineCounter);
  if (bomb) throw new ConfigError(file, [bomb]);
  // The yaml package's own guard (maxAliasCount) multiplies an anchor's uses by the aliases inside
  // it, and so refuses ordinary configs that reuse a few anchors often; the bound above replaces it.
  const data: unknown = doc.toJS({ maxAliasCount: -1 }) ?? {};
  const result = configSchema.safeParse(data);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => toProblem(issue, doc, lineCounter));
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  throw new ConfigError(file, problems);
}

/**
 * Values that aliases may add to a config. Ordinary sharing (a calendar's hours, a set of targets,
 * `<<: *defaults` on each customer) adds hundreds; an alias bomb ("billion laughs") nests aliases
 * of aliases to add billions from a few lines.
 */
export const MAX_ALIAS_EXPANSION = 100_000;

/**
 * Walks the document as it reads with every alias replaced by its anchor's value, and stops at the
 * alias through which that grows by more than MAX_ALIAS_EXPANSION values. Walked with its own stack
 * (an anchor that contains an alias to itself is infinitely deep) and never past the bound.
 */
function aliasExpansionProblem(doc: Document, lines: LineCounter): ConfigProblem | undefined {
  // An alias refers to the last anchor of its name before it, in document order.
  const anchors = new Map<string, Node>();
  const targets = new Map<unknown, Node>();
  visit(doc, {
    Node(_key, node) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) targets.set(node, target);
      } else if (node.anchor) anchors.set(node.anchor, node);
    },
  });
  if (targets.size === 0) return undefined;
  interface Step {
    node: unknown;
    path: (string | number)[];
    /** The outermost alias this value comes through, if any. */
    via?: { path: (string | number)[]; node: Node };
  }
  const stack: Step[] = [{ node: doc.contents, path: [] }];
  let expanded = 0;
  for (let step = stack.pop(); step; step = stack.pop()) {
    const { node, path, via } = step;
    if (via && ++expanded > MAX_ALIAS_EXPANSION) {
      return {
        path: formatPath(via.path),
        message: `the aliases here expand to more than ${MAX_ALIAS_EXPANSION} values (an alias bomb?); write the values out or share less`,
        line: via.node.range ? lines.linePos(via.node.range[0]).line : undefined,
      };
    }
    // Inside an alias's value only the alias's own path is reported, so paths stop growing there.
    const inner = (part: string | number) => (via ? path : [...path, part]);
    if (isAlias(node)) {
      const target = targets.get(node);
      if (target) stack.push({ node: target, path, via: via ?? { path, node } });
    } else if (isPair(node)) {
      stack.push({ node: node.value, path: inner(isScalar(node.key) ? String(node.key.value) : '?'), ...(via ? { via } : {}) });
      if (isAlias(node.key)) stack.push({ node: node.key, path, ...(via ? { via } : {}) });
    } else if (isCollection(node)) {
      // Sequence items by index; a map's pairs carry their own key.
      node.items.forEach((item, i) => stack.push({ node: item, path: isPair(item) ? path : inner(i), ...(via ? { via } : {}) }));
    }
  }
  return undefined;
}

function toProblem(issue: z.core.$ZodIssue, doc: Document, lines: LineCounter): ConfigProblem {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') message = `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) message = `missing required field (expected ${issue.expected})`;
  return { path: formatPath(path), message, line: lineOf(doc, path, lines, issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined) };
}

/** `customers[2].tier`, `tiers.enterprise.targets.urgent`. */
export function formatPath(path: readonly (string | number)[]): string {
  return path.reduce<string>((out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${part}` : part), '');
}

/** The line of the deepest node on `path` that exists in the document (a missing field points at its parent). */
function lineOf(doc: Document, path: (string | number)[], lines: LineCounter, unknownKey?: string): number | undefined {
  const full = unknownKey === undefined ? path : [...path, unknownKey];
  for (let depth = full.length; depth >= 0; depth--) {
    const prefix = full.slice(0, depth);
    const node = prefix.length === 0 ? doc.contents : doc.getIn(prefix, true);
    // For an unknown key, point at the key itself rather than its value.
    const keyNode = unknownKey !== undefined && depth === full.length ? findKeyNode(doc, prefix) : undefined;
    const target = keyNode ?? node;
    if (isNode(target) && target.range) return lines.linePos(target.range[0]).line;
  }
  return undefined;
}

function findKeyNode(doc: Document, path: (string | number)[]): unknown {
  const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  const last = path[path.length - 1];
  if (parent && typeof parent === 'object' && 'items' in parent && Array.isArray(parent.items)) {
    for (const item of parent.items as { key?: unknown }[]) {
      if (isNode(item.key) && (item.key as { value?: unknown }).value === last) return item.key;
    }
  }
  return undefined;
}
