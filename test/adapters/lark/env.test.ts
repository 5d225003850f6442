/**
 * The Feishu/Lark settings: every problem at once, by variable name, never
 * echoing a value; the long connection unless LARK_MODE=webhook, which needs
 * the encrypt key and the verification token.
 */
import { describe, expect, it } from 'vitest';
import { describeLarkEnv, FEISHU_URL, LARK_URL, LarkEnvError, readLarkEnv } from '../../../adapters/lark/env.js';

const GOOD = { LARK_APP_ID: 'cli_a1b2c3d4e5f60718', LARK_APP_SECRET: 'SeCrEt0123456789abcdef' };

function problems(env: NodeJS.ProcessEnv): string[] {
  try {
    readLarkEnv(env);
  } catch (err) {
    if (err instanceof LarkEnvError) return err.problems;
    throw err;
  }
  return [];
}

describe('Feishu/Lark settings', () => {
  it('the long connection to Feishu by default', () => {
    expect(readLarkEnv(GOOD)).toEqual({ appId: GOOD.LARK_APP_ID, appSecret: GOOD.LARK_APP_SECRET, domain: FEISHU_URL, mode: 'websocket', port: 3000 });
  });

  it('LARK_DOMAIN: feishu, lark, or a URL', () => {
    expect(readLarkEnv({ ...GOOD, LARK_DOMAIN: 'lark' }).domain).toBe(LARK_URL);
    expect(readLarkEnv({ ...GOOD, LARK_DOMAIN: 'Feishu' }).domain).toBe(FEISHU_URL);
    expect(readLarkEnv({ ...GOOD, LARK_DOMAIN: 'http://127.0.0.1:8080/' }).domain).toBe('http://127.0.0.1:8080');
    expect(problems({ ...GOOD, LARK_DOMAIN: 'dingtalk' })).toEqual([expect.stringMatching(/^LARK_DOMAIN must be feishu/)]);
  });

  it('webhook mode needs the encrypt key and the verification token', () => {
    expect(problems({ ...GOOD, LARK_MODE: 'webhook' })).toEqual([expect.stringMatching(/^LARK_ENCRYPT_KEY is not set/), expect.stringMatching(/^LARK_VERIFICATION_TOKEN is not set/)]);
    expect(readLarkEnv({ ...GOOD, LARK_MODE: 'webhook', LARK_ENCRYPT_KEY: 'k', LARK_VERIFICATION_TOKEN: 't', PORT: '8080' })).toMatchObject({ mode: 'webhook', encryptKey: 'k', verificationToken: 't', port: 8080 });
    expect(problems({ ...GOOD, LARK_MODE: 'socket' })).toEqual([expect.stringMatching(/^LARK_MODE must be websocket/)]);
  });

  it('names every problem at once and never a value', () => {
    const found = problems({ LARK_APP_ID: 'app-123', LARK_APP_SECRET: 'has space', PORT: '99999' });
    expect(found).toEqual([
      expect.stringMatching(/^LARK_APP_ID does not look like an App ID/),
      expect.stringMatching(/^LARK_APP_SECRET contains whitespace/),
      expect.stringMatching(/^PORT must be a port number/),
    ]);
    expect(found.join('\n')).not.toMatch(/app-123|has space/);
    expect(problems({})).toEqual([expect.stringMatching(/^LARK_APP_ID is not set/), expect.stringMatching(/^LARK_APP_SECRET is not set/)]);
  });

  it('describes itself without the secret', () => {
    expect(JSON.stringify(describeLarkEnv(readLarkEnv(GOOD)))).not.toContain(GOOD.LARK_APP_SECRET);
  });
});
