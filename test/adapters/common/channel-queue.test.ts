/**
 * The outbound queues every platform shares: a lane per channel, in order,
 * waiting out a rate limit for that lane only; spacing within a lane and a
 * rate across all lanes for platforms that publish them.
 */
import { describe, expect, it } from 'vitest';
import { ChannelQueues } from '../../../adapters/common/channel-queue.js';

class TooMany extends Error {
  constructor(readonly seconds: number) {
    super('too many requests');
  }
}
const rateLimitedFor = (err: unknown) => (err instanceof TooMany ? err.seconds : undefined);

function recorder() {
  const starts: { key: string; at: number }[] = [];
  const call = (key: string) => async () => {
    starts.push({ key, at: Date.now() });
    return key;
  };
  return { starts, call };
}

describe('ChannelQueues', () => {
  it('spaces the calls of one lane by minGapMs, and not those of different lanes', async () => {
    const queues = new ChannelQueues({ rateLimitedFor, minGapMs: 60 });
    const { starts, call } = recorder();
    await Promise.all([queues.run('a', call('a')), queues.run('a', call('a')), queues.run('a', call('a')), queues.run('b', call('b'))]);
    const a = starts.filter((s) => s.key === 'a').map((s) => s.at);
    expect(a[1]! - a[0]!).toBeGreaterThanOrEqual(55);
    expect(a[2]! - a[1]!).toBeGreaterThanOrEqual(55);
    expect(starts.find((s) => s.key === 'b')!.at - a[0]!).toBeLessThan(40);
  });

  it('keeps the spacing for a call that comes right after the lane went idle', async () => {
    const queues = new ChannelQueues({ rateLimitedFor, minGapMs: 60 });
    const { starts, call } = recorder();
    await queues.run('a', call('a'));
    await queues.run('a', call('a'));
    expect(starts[1]!.at - starts[0]!.at).toBeGreaterThanOrEqual(55);
  });

  it('spreads calls across all lanes at perSecond', async () => {
    const queues = new ChannelQueues({ rateLimitedFor, perSecond: 20 });
    const { starts, call } = recorder();
    await Promise.all(['a', 'b', 'c', 'd'].map((key) => queues.run(key, call(key))));
    const at = starts.map((s) => s.at).sort((x, y) => x - y);
    expect(at[3]! - at[0]!).toBeGreaterThanOrEqual(140);
  });

  it('retries a rate-limited call after the wait it was told, in its lane only', async () => {
    const waits: number[] = [];
    const queues = new ChannelQueues({ rateLimitedFor, sleep: async (ms) => void waits.push(ms) });
    let tries = 0;
    const result = await queues.run('a', async () => {
      if (++tries === 1) throw new TooMany(2);
      return 'posted';
    });
    expect(result).toBe('posted');
    expect(tries).toBe(2);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThan(1_900);
    expect(queues.isPaused('a')).toBe(true);
    expect(queues.isPaused('b')).toBe(false);
  });

  it('passes any other failure on at once', async () => {
    const queues = new ChannelQueues({ rateLimitedFor });
    await expect(queues.run('a', async () => Promise.reject(new Error('no such chat')))).rejects.toThrow('no such chat');
    expect(await queues.run('a', async () => 'next')).toBe('next');
  });
});
