/**
 * ./.env: the usual NAME=value format, errors by file and line (never the
 * line's text), and the environment winning over the file.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EnvFileError, loadEnvFile, parseEnvFile } from '../../src/config/env-file.js';

describe('parseEnvFile', () => {
  it('reads bare, single- and double-quoted values, comments, export, CRLF and a BOM', () => {
    const text = [
      '\uFEFF# a comment',
      'export PORT=3000',
      'TOKEN=abc==   # base64 keeps its =',
      'EMPTY=',
      "SINGLE='a # is kept \\n as written'",
      'DOUBLE="line one\\nline two \\"quoted\\" \\\\ # kept"  # a comment',
      '  SPACED = value with spaces  ',
      'TOKEN=second wins',
    ].join('\r\n');
    expect(Object.fromEntries(parseEnvFile(text))).toEqual({
      PORT: '3000',
      TOKEN: 'second wins',
      EMPTY: '',
      SINGLE: 'a # is kept \\n as written',
      DOUBLE: 'line one\nline two "quoted" \\ # kept',
      SPACED: 'value with spaces',
    });
  });

  it('lists every line that is not valid, by number, without repeating what it holds', () => {
    const secret = 'xoxb-1111-2222-secret';
    const text = ['OK=1', `SLACK_BOT_TOKEN ${secret}`, `1BAD=${secret}`, `QUOTED="${secret}`, `AFTER='${secret}' trailing`].join('\n');
    let error: unknown;
    try {
      parseEnvFile(text, 'config/.env');
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EnvFileError);
    expect((error as Error).message).toBe(
      [
        'config/.env is not valid (one NAME=value a line):',
        '  line 2: expected NAME=value',
        '  line 3: the name before "=" must be letters, digits and _ (not starting with a digit)',
        "  line 4: the value's double quote is not closed on its line (values span one line)",
        '  line 5: text after the closing quote (put a # before a comment)',
      ].join('\n'),
    );
    expect((error as Error).message).not.toContain('secret');
  });
});

describe('loadEnvFile', () => {
  it('sets what the environment does not have, and leaves what it has — even an empty value', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slawatch-env-file-'));
    try {
      const path = join(dir, '.env');
      await writeFile(path, 'FROM_FILE=file\nSET_IN_ENV=file\nEMPTY_IN_ENV=file\n');
      const env: NodeJS.ProcessEnv = { SET_IN_ENV: 'environment', EMPTY_IN_ENV: '' };
      loadEnvFile(path, env);
      expect(env).toEqual({ FROM_FILE: 'file', SET_IN_ENV: 'environment', EMPTY_IN_ENV: '' });
      const untouched: NodeJS.ProcessEnv = {};
      loadEnvFile(join(dir, 'missing.env'), untouched);
      expect(untouched).toEqual({});
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
