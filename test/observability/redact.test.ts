import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/observability/redact.js';
import { createLogger } from '../../src/service/logger.js';
import { openRedisStore } from '../../src/store/redis.js';

describe('redactSecrets', () => {
  it.each([
    ['https://user:pass@host/', 'https://user:***@host/'],
    ['redis://:pw@host:6379/0', 'redis://:***@host:6379/0'],
    ['rediss://u:p@h', 'rediss://u:***@h'],
    ['SLACK_API_URL=https://bot:s3cr3t@slack.internal/api/ failed', 'SLACK_API_URL=https://bot:***@slack.internal/api/ failed'],
    // A user part alone is often the token itself.
    ['https://ghp_abcdef123456@git.example.com/x', 'https://***@git.example.com/x'],
    // An "@" inside the password, unencoded: everything up to the host goes.
    ['redis://admin:p@ss@10.0.0.1:6379', 'redis://admin:***@10.0.0.1:6379'],
    ['https://api.example.com/v1?token=abc123&x=1', 'https://api.example.com/v1?token=[redacted]&x=1'],
    ['GET /hook?a=1&access_token=zzz#frag', 'GET /hook?a=1&access_token=[redacted]#frag'],
    ['https://h/p?api_key=k1&signature=s2&Password=p3', 'https://h/p?api_key=[redacted]&signature=[redacted]&Password=[redacted]'],
    ['token xoxb-1234-5678-abcdefgh in text', 'token [redacted] in text'],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('leaves URLs without credentials, and ordinary text, as they are', () => {
    for (const text of ['https://slack.com/api/', 'redis://127.0.0.1:6379/0', 'mail alice@example.com', 'https://h/p?page=2&sort=due', 'a: b @ c']) {
      expect(redactSecrets(text)).toBe(text);
    }
  });
});

describe('where it applies', () => {
  it('log lines: in the message, in fields and in nested error texts', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'slawatch-redact-'));
    try {
      const file = join(dir, 'log.jsonl');
      const fd = openSync(file, 'w');
      const logger = createLogger({ level: 'info', destination: fd });
      logger.warn({ url: 'redis://:hunter2@cache:6379/0', detail: { err: 'request to https://u:pw2@slack.internal/api/chat.postMessage?token=t0k failed' } }, 'cannot reach rediss://u:pw3@h');
      closeSync(fd);
      const line = await readFile(file, 'utf8');
      for (const secret of ['hunter2', 'pw2', 'pw3', 't0k']) expect(line).not.toContain(secret);
      expect(JSON.parse(line)).toMatchObject({
        url: 'redis://:***@cache:6379/0',
        detail: { err: 'request to https://u:***@slack.internal/api/chat.postMessage?token=[redacted] failed' },
        msg: 'cannot reach rediss://u:***@h',
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('errors: a Redis store that cannot be opened names its URL without the password', async () => {
    // Port 1 on this machine: nothing listens there.
    const failed = openRedisStore({ url: 'redis://user:sekrit@127.0.0.1:1/0', connectTimeoutMs: 1_000 });
    await expect(failed).rejects.toThrow(/^opening the Redis store at redis:\/\/user:\*\*\*@127\.0\.0\.1:1\/0 failed/);
    await expect(failed).rejects.not.toThrow(/sekrit/);
  });
});
