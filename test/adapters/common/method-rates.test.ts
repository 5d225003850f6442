/**
 * Calls per API method within the platform's rate tier: a sliding window per
 * method, a rate-limit answer pausing the method for the time asked, and a
 * shutdown that never waits out a window.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MethodRates } from '../../../adapters/common/method-rates.js';

class TooMany extends Error {
  constructor(readonly seconds: number) {
    super('ratelimited');
  }
}
const rateLimitedFor = (err: unknown) => (err instanceof TooMany ? err.seconds : undefined);

describe('MethodRates', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('starts at most `limit` calls of a method per window; other methods are not held back', async () => {
    const rates = new MethodRates({ limits: { 'conversations.history': 2 }, windowMs: 1_000, marginMs: 0, rateLimitedFor });
    const starts: Record<string, number[]> = {};
    const call = (method: string) => rates.run(method, async () => void (starts[method] ??= []).push(Date.now()));
    const done = Promise.all([call('conversations.history'), call('conversations.history'), call('conversations.history'), call('chat.postMessage')]);
    await vi.advanceTimersByTimeAsync(2_000);
    await done;
    expect(starts['conversations.history']).toEqual([0, 0, 1_000]);
    expect(starts['chat.postMessage']).toEqual([0]);
    expect(rates.counts()['conversations.history']).toEqual({ calls: 3, rateLimited: 0 });
  });

  it('a rate-limit answer pauses the method for the seconds asked, then the call is tried again', async () => {
    const rates = new MethodRates({ limits: {}, rateLimitedFor });
    const attempts: number[] = [];
    const result = rates.run('conversations.replies', async () => {
      attempts.push(Date.now());
      if (attempts.length === 1) throw new TooMany(3);
      return 'ok';
    });
    await vi.advanceTimersByTimeAsync(5_000);
    await expect(result).resolves.toBe('ok');
    expect(attempts).toEqual([0, 3_000]);
    expect(rates.counts()['conversations.replies']).toEqual({ calls: 2, rateLimited: 1 });
  });

  it('stop() ends a call waiting for its window at once, and refuses new ones', async () => {
    const rates = new MethodRates({ limits: { 'conversations.history': 1 }, rateLimitedFor });
    await rates.run('conversations.history', async () => undefined);
    let ran = false;
    const waiting = rates.run('conversations.history', async () => void (ran = true));
    const outcome = waiting.then(
      () => 'ran',
      (err: Error) => err.message,
    );
    await vi.advanceTimersByTimeAsync(100);
    rates.stop();
    await vi.advanceTimersByTimeAsync(0);
    expect(await outcome).toMatch(/not called, the connection is stopping/);
    expect(ran).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    await expect(rates.run('conversations.history', async () => 'late')).rejects.toThrow(/stopping/);
  });
});
