/**
 * Start-up settings: every problem reported at once, by name, with what to
 * do about it — and never the value of a secret. A token Slack rejects
 * stops the start with a clear message (an unreachable Slack is tried
 * again, by `slawatch start`); tokens stay out of the logs even
 * with the libraries' debug logging on.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { App } from '../../../src/app/app.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { PlatformRejected } from '../../../adapters/platform.js';
import { createSlackConnection } from '../../../adapters/slack/index.js';
import { readSlackEnv, SlackEnvError } from '../../../adapters/slack/env.js';
import { FakeSlack } from '../../../testkit/fake-slack.js';
import { messageEvent } from '../../../testkit/slack-requests.js';
import { ACME, BOT_TOKEN, captureLogger, CONFIG, CUSTOMER, Harness, SIGNING_SECRET, type CapturedLog } from './harness.js';

describe('readSlackEnv', () => {
  it('HTTP mode by default, on port 3000, with Slack\'s own Web API', () => {
    expect(readSlackEnv({ SLACK_BOT_TOKEN: 'xoxb-1-2-abc', SLACK_SIGNING_SECRET: 's3cr3t' })).toEqual({
      botToken: 'xoxb-1-2-abc',
      signingSecret: 's3cr3t',
      apiUrl: 'https://slack.com/api/',
      mode: 'http',
      port: 3000,
    });
  });

  it('Socket Mode when SLACK_APP_TOKEN is set (no signing secret needed); SLACK_API_URL gets its trailing slash', () => {
    const env = readSlackEnv({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_APP_TOKEN: 'xapp-1-A-1-abc', SLACK_API_URL: 'http://127.0.0.1:9999/api', PORT: '0' });
    expect(env).toMatchObject({ mode: 'socket', apiUrl: 'http://127.0.0.1:9999/api/', port: 0 });
  });

  it('reports every problem at once without echoing secrets', () => {
    let error: unknown;
    try {
      readSlackEnv({ SLACK_BOT_TOKEN: 'xoxp-user-token-value', SLACK_APP_TOKEN: 'not-an-app-token-value', SLACK_API_URL: 'ftp://example', PORT: 'eighty' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SlackEnvError);
    const message = (error as Error).message;
    expect((error as SlackEnvError).problems).toHaveLength(4);
    expect(message).toMatch(/SLACK_BOT_TOKEN .* start with xoxb-/);
    expect(message).toMatch(/SLACK_APP_TOKEN .* start with xapp-/);
    expect(message).toMatch(/SLACK_API_URL is not an http\(s\) URL/);
    expect(message).toMatch(/PORT must be a port number/);
    expect(message).not.toContain('xoxp-user-token-value');
    expect(message).not.toContain('not-an-app-token-value');
  });

  it('names the missing variables in HTTP mode', () => {
    expect(() => readSlackEnv({})).toThrow(/SLACK_BOT_TOKEN is not set[\s\S]*SLACK_SIGNING_SECRET is not set/);
  });
});

describe('starting against Slack', () => {
  let fake: FakeSlack | undefined;
  afterEach(async () => {
    await fake?.stop();
    fake = undefined;
  });

  const start = (apiUrl: string, logs: CapturedLog[], env: NodeJS.ProcessEnv = {}) =>
    createSlackConnection(
      new App({ config: parseConfig(CONFIG), store: openMemoryStore(), logger: captureLogger(logs) }),
      { SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: apiUrl, PORT: '0', HOST: '127.0.0.1', ...env },
      captureLogger(logs),
    );

  it('a token Slack rejects stops the start with a clear message that does not contain it', async () => {
    fake = await FakeSlack.start();
    fake.acceptOnly(['xoxb-some-other-token']);
    const logs: CapturedLog[] = [];
    const error = await start(fake.apiUrl, logs).then(() => undefined, (err: Error) => err);
    expect(error).toBeInstanceOf(PlatformRejected);
    expect(error?.message).toMatch(/Slack rejected SLACK_BOT_TOKEN \(auth\.test: invalid_auth\)/);
    expect(error?.message).not.toContain(BOT_TOKEN);
    expect(JSON.stringify(logs)).not.toContain(BOT_TOKEN);
  });

  it('an app token Slack rejects stops the start naming SLACK_APP_TOKEN', async () => {
    fake = await FakeSlack.start();
    fake.acceptOnly([BOT_TOKEN]);
    const appToken = 'xapp-1-A0SLAWATCH-1234567890-rejectedrejectedrejected';
    const error = await start(fake.apiUrl, [], { SLACK_APP_TOKEN: appToken }).then(() => undefined, (err: Error) => err);
    expect(error).toBeInstanceOf(PlatformRejected);
    expect(error?.message).toMatch(/Slack rejected SLACK_APP_TOKEN \(apps\.connections\.open: invalid_auth\)/);
    expect(error?.message).not.toContain(appToken);
  });

  it('an unreachable Web API fails the attempt, saying where it looked, and is worth trying again', async () => {
    const error = await start('http://127.0.0.1:1/api/', []).then(() => undefined, (err: Error) => err);
    expect(error?.message).toMatch(/could not reach the Slack Web API at http:\/\/127\.0\.0\.1:1\/api\/ \(auth\.test\)/);
    expect(error).not.toBeInstanceOf(PlatformRejected);
  });
});

describe('logs', () => {
  it('never contain the tokens or the signing secret, even with SLACK_LOG_LEVEL=debug', async () => {
    const h = await Harness.start({ env: { SLACK_LOG_LEVEL: 'debug' } });
    await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, text: 'hello', ts: h.ts() }));
    await h.slack.command({ user_id: CUSTOMER, channel_id: ACME, text: 'status 1', response_url: h.fake.responseUrl() });
    await h.stop();
    const everything = JSON.stringify(h.logs);
    // Debug logging is on: the libraries did talk.
    expect(h.logs.filter((l) => l.level === 'debug').length).toBeGreaterThan(5);
    expect(everything).not.toContain(BOT_TOKEN);
    expect(everything).not.toContain(SIGNING_SECRET);
    expect(everything).not.toMatch(/xox[abprs]-\d/);
  });
});
