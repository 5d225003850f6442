import { ConfigError, parseConfig } from '../../src/config/load.js';

/** What the config check says of a YAML text, one `path: message (line N)` each; [] when it is valid. */
export function problemsOf(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.path}: ${p.message} (line ${p.line})`);
    throw err;
  }
  return [];
}
