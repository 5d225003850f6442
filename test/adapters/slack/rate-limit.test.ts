/**
 * Outbound calls queue per channel and honour Retry-After: a 429 in one
 * customer's channel holds that channel's posts back and retries them, and
 * never delays another channel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ChannelQueues } from '../../../adapters/slack/channel-queue.js';
import { messageEvent } from '../../../testkit/slack-requests.js';
import { ACME, CUSTOMER, GLOBEX, Harness, OTHER_CUSTOMER } from './harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('a 429 in one channel', () => {
  it('is waited out for that channel only, then the post goes through once', async () => {
    h = await Harness.start();
    h.fake.rateLimit(ACME, { times: 1, retryAfterSec: 1 });
    const acmeTs = h.ts();
    const globexTs = h.ts();
    const started = Date.now();
    await Promise.all([
      h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, text: 'Acme: uploads fail', ts: acmeTs })),
      h.slack.event(messageEvent({ channel: GLOBEX, user: OTHER_CUSTOMER, text: 'Globex: exports fail', ts: globexTs })),
    ]);
    const globexAck = await h.fake.channel(GLOBEX).thread(globexTs).expectMessage(/Ticket #\d opened for Globex/);
    const acmeAck = await h.fake.channel(ACME).thread(acmeTs).expectMessage(/Ticket #\d opened for Acme/, 4_000);

    const calls = h.fake.calls.filter((c) => c.method === 'chat.postMessage');
    const globexAt = calls.find((c) => c.args === globexAck)!.at;
    const acmeAttempts = calls.filter((c) => c.args.channel === ACME);
    expect(acmeAttempts.map((c) => c.status)).toEqual([429, 200]);
    // Acme waited at least the second it was told to …
    expect(acmeAttempts[1]!.at - acmeAttempts[0]!.at).toBeGreaterThanOrEqual(950);
    // … while Globex was not held up by it.
    expect(globexAt).toBeLessThan(acmeAttempts[1]!.at - 500);
    expect(globexAt - started).toBeLessThan(1_000);
    expect(acmeAck).toBeDefined();
    expect(h.logs.some((l) => l.level === 'warn' && /rate limit/.test(l.message))).toBe(true);
  });
});

describe('ChannelQueues', () => {
  const rateLimited = (retryAfter: number) => Object.assign(new Error('ratelimited'), { code: 'slack_webapi_rate_limited_error', retryAfter });

  it('runs one channel\'s calls in order, one at a time', async () => {
    const queues = new ChannelQueues();
    const log: string[] = [];
    const call = (name: string, ms: number) => () => new Promise<string>((resolve) => {
      log.push(`start ${name}`);
      setTimeout(() => {
        log.push(`end ${name}`);
        resolve(name);
      }, ms);
    });
    await Promise.all([queues.run('C1', call('a', 30)), queues.run('C1', call('b', 1))]);
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });

  it('gives up after the last attempt and lets the next call run', async () => {
    const waits: number[] = [];
    const queues = new ChannelQueues({ maxAttempts: 2, sleep: async (ms) => void waits.push(ms) });
    let attempts = 0;
    const failing = queues.run('C1', async () => {
      attempts++;
      throw rateLimited(3);
    });
    await expect(failing).rejects.toThrow('ratelimited');
    expect(attempts).toBe(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(2_900);
    await expect(queues.run('C1', async () => 'next')).resolves.toBe('next');
  });

  it('does not retry errors other than 429', async () => {
    const queues = new ChannelQueues();
    let attempts = 0;
    await expect(
      queues.run('C1', async () => {
        attempts++;
        throw new Error('channel_not_found');
      }),
    ).rejects.toThrow('channel_not_found');
    expect(attempts).toBe(1);
  });
});
