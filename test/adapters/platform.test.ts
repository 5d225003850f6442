/**
 * Keeping a platform connected: a failed attempt is tried again after a
 * doubling, jittered wait, each failure logged with the wait; a rejection
 * stops trying; stopping ends the waiting and closes what was connected.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay, PlatformLink, PlatformRejected, type PlatformConnection } from '../../adapters/platform.js';
import { capturingLogger } from './discord/harness.js';

function connection(name = 'chat'): PlatformConnection & { stopped: boolean } {
  return {
    name,
    stopped: false,
    ready() {
      return !this.stopped;
    },
    async stop() {
      this.stopped = true;
    },
  };
}

describe('backoffDelay', () => {
  it('doubles from 1 s up to a minute, somewhere in the upper half of each step', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 20].map((n) => backoffDelay(n, undefined, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect([1, 2, 7].map((n) => backoffDelay(n, undefined, () => 0))).toEqual([500, 1_000, 30_000]);
  });
});

describe('PlatformLink', () => {
  const fast = { firstMs: 5, maxMs: 20 };

  it('tries again after failures, logging each with its wait, and is ready once connected', async () => {
    const logs = capturingLogger();
    const made = connection();
    let attempts = 0;
    let connected = 0;
    const link = new PlatformLink('Chat', {
      connect: async () => {
        if (++attempts < 3) throw new Error('connect ECONNREFUSED 127.0.0.1:1');
        return made;
      },
      log: logs,
      backoff: fast,
      onConnected: async () => void connected++,
      onRejected: () => expect.unreachable('not rejected'),
    });
    await link.start();
    expect(link.ready()).toBe(false);
    await expect.poll(() => link.ready()).toBe(true);
    expect(attempts).toBe(3);
    expect(connected).toBe(1);
    const failures = logs.lines.filter((l) => l.level === 'warn');
    expect(failures.map((l) => l.message)).toEqual([expect.stringMatching(/^Chat: could not connect \(attempt 1\); trying again in 0\.0 s$/), expect.stringMatching(/^Chat: could not connect \(attempt 2\); trying again in 0\.0 s$/)]);
    expect(failures[0]?.fields).toMatchObject({ platform: 'Chat', attempt: 1, err: 'connect ECONNREFUSED 127.0.0.1:1' });
    await link.stop();
    expect(made.stopped).toBe(true);
    expect(link.ready()).toBe(false);
  });

  it('stops trying at a rejection and hands it on', async () => {
    const rejections: PlatformRejected[] = [];
    let attempts = 0;
    const link = new PlatformLink('Chat', {
      connect: async () => {
        if (++attempts === 1) throw new Error('timeout');
        throw new PlatformRejected('Chat rejected CHAT_TOKEN');
      },
      log: capturingLogger(),
      backoff: fast,
      onRejected: (err) => void rejections.push(err),
    });
    await link.start();
    await expect.poll(() => rejections.length).toBe(1);
    await new Promise((r) => setTimeout(r, 50));
    expect(attempts).toBe(2);
    expect(rejections[0]?.message).toBe('Chat rejected CHAT_TOKEN');
    expect(link.ready()).toBe(false);
  });

  it('stop() ends a wait between attempts at once, and closes a connection made after it was asked to stop', async () => {
    let attempts = 0;
    const slow = new PlatformLink('Chat', {
      connect: async () => {
        attempts++;
        throw new Error('unreachable');
      },
      log: capturingLogger(),
      backoff: { firstMs: 60_000, maxMs: 60_000 },
      onRejected: () => undefined,
    });
    await slow.start();
    const before = Date.now();
    await slow.stop();
    expect(Date.now() - before).toBeLessThan(1_000);
    expect(attempts).toBe(1);

    const late = connection();
    let release!: () => void;
    const link = new PlatformLink('Chat', {
      connect: () => new Promise<PlatformConnection>((resolve) => (release = () => resolve(late))),
      log: capturingLogger(),
      onRejected: () => undefined,
    });
    void link.start();
    const stopping = link.stop();
    release();
    await stopping;
    expect(late.stopped).toBe(true);
    expect(link.ready()).toBe(false);
  });
});
