/**
 * News of ticket changes between replicas (Redis pub/sub) across a Redis
 * restart: what is published while Redis is away is lost, so a subscriber is
 * told when its subscription is back and must catch up from the store (the
 * bot re-derives every open ticket then).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisCoordinator } from '../../src/store/redis-coordination.js';
import { RedisServer } from '../../testkit/replicas.js';
import { needRedisServer } from '../helpers/requirements.js';

const REDIS_SERVER = needRedisServer('replica news tests');

/** Retries `attempt` until it answers true or succeeds; fails after `ms`. */
async function eventually(attempt: () => boolean | Promise<unknown>, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  for (;;) {
    try {
      if ((await attempt()) !== false) return;
    } catch (error) {
      if (performance.now() > deadline) throw error;
    }
    if (performance.now() > deadline) throw new Error(`not within ${ms} ms`);
    await sleep(20);
  }
}

describe.runIf(REDIS_SERVER)('ticket-change news across a Redis restart', () => {
  let dir: string;
  let redis: RedisServer;
  const coordinators: RedisCoordinator[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'slawatch-news-'));
    redis = await RedisServer.start({ binary: REDIS_SERVER!, dir, durable: true });
  });
  afterAll(async () => {
    await Promise.all(coordinators.map((c) => c.close()));
    await redis?.kill();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('says news may have been missed once the subscription is back, and carries news again', async () => {
    const [publisher, subscriber] = await Promise.all([RedisCoordinator.connect({ url: redis.url, prefix: 'news' }), RedisCoordinator.connect({ url: redis.url, prefix: 'news' })]);
    coordinators.push(publisher, subscriber);
    const heard: number[] = [];
    let missed = 0;
    await subscriber.onTicketChange(
      (id) => heard.push(id),
      () => missed++,
    );
    await publisher.publishTicketChange(1, 'a');
    await eventually(() => heard.includes(1), 2_000);
    expect(missed).toBe(0);

    await redis.kill();
    await expect(publisher.publishTicketChange(2, 'a')).rejects.toThrow();
    await redis.start();
    await eventually(() => missed === 1, 10_000);

    await eventually(() => publisher.publishTicketChange(3, 'a'), 10_000);
    await eventually(() => heard.includes(3), 2_000);
    expect(heard).toEqual([1, 3]);
    expect(missed).toBe(1);
  });
});
