/**
 * `./.env`: settings kept next to a checkout or a container, read before the
 * command line is parsed, so every command and every flag's variable sees
 * them. The environment wins: a variable already set (even to nothing) is
 * left as it is.
 *
 * The format is the usual one: `NAME=value` lines, `#` comments, an optional
 * `export ` in front, values bare (a ` #` starts a comment) or in single
 * quotes (taken as written) or double quotes (`\n`, `\t`, `\"`, `\\` are
 * escapes). A line that is none of these is an error naming the file and the
 * line — never its text, which may hold a secret.
 */
import { readFileSync } from 'node:fs';

export const ENV_FILE = '.env';

export class EnvFileError extends Error {
  override name = 'EnvFileError';
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ESCAPES: Record<string, string> = { n: '\n', r: '\r', t: '\t', '"': '"', '\\': '\\' };

/** The variables `text` sets, in order; throws EnvFileError listing every line that is not valid. */
export function parseEnvFile(text: string, file = ENV_FILE): Map<string, string> {
  const values = new Map<string, string>();
  const problems: string[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .forEach((raw, index) => {
      const line = raw.trim();
      if (!line || line.startsWith('#')) return;
      const parsed = parseLine(line.replace(/^export\s+/, ''));
      if (typeof parsed === 'string') problems.push(`  line ${index + 1}: ${parsed}`);
      else values.set(parsed.name, parsed.value);
    });
  if (problems.length) throw new EnvFileError(`${file} is not valid (one NAME=value a line):\n${problems.join('\n')}`);
  return values;
}

/** A variable, or what is wrong with the line. */
function parseLine(line: string): { name: string; value: string } | string {
  const equals = line.indexOf('=');
  if (equals < 0) return 'expected NAME=value';
  const name = line.slice(0, equals).trim();
  if (!NAME.test(name)) return 'the name before "=" must be letters, digits and _ (not starting with a digit)';
  const rest = line.slice(equals + 1).trim();
  const quote = rest[0];
  if (quote !== '"' && quote !== "'") return { name, value: rest.replace(/\s+#.*$/, '') };

  let value = '';
  for (let i = 1; i < rest.length; i++) {
    const char = rest[i] as string;
    if (char === quote) {
      const after = rest.slice(i + 1).trim();
      if (after && !after.startsWith('#')) return 'text after the closing quote (put a # before a comment)';
      return { name, value };
    }
    const next = rest[i + 1];
    if (quote === '"' && char === '\\' && next !== undefined && next in ESCAPES) {
      value += ESCAPES[next];
      i++;
    } else {
      value += char;
    }
  }
  return `the value's ${quote === '"' ? 'double' : 'single'} quote is not closed on its line (values span one line)`;
}

/** Reads `path` when it exists and sets each variable the environment does not have yet. */
export function loadEnvFile(path = ENV_FILE, env: NodeJS.ProcessEnv = process.env): void {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new EnvFileError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  for (const [name, value] of parseEnvFile(text, path)) env[name] ??= value;
}
