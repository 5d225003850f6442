/**
 * Leader election between replicas: two `Leadership`s, each over its own
 * `RedisCoordinator` (its own connection) on the machine's Redis, under a
 * key prefix of this run's. A 1 s lease, renewed every 333 ms (ttl / 3).
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { createClient } from '@keyv/redis';
import { afterEach, describe, expect, it } from 'vitest';
import { Leadership } from '../../src/scheduler/leadership.js';
import { RedisCoordinator } from '../../src/store/redis-coordination.js';
import { needRedis } from '../helpers/requirements.js';

const URL = await needRedis('leadership tests');
const TTL_MS = 1_000;
const RENEW_MS = Math.floor(TTL_MS / 3);
/** Timers and a Redis round trip on a busy CI machine. */
const SLACK_MS = 150;

interface Candidate {
  name: string;
  coordinator: RedisCoordinator;
  leadership: Leadership;
  /** Each change of this candidate's leadership, with the moment and whether the other led then. */
  changes: { leading: boolean; at: number; otherLeading: boolean }[];
}

describe.runIf(URL)('leadership over Redis', () => {
  const running: Candidate[] = [];
  let prefix: string;

  async function candidates(): Promise<[Candidate, Candidate]> {
    prefix = `slawatch-leadership-${randomBytes(4).toString('hex')}`;
    const pair: Candidate[] = [];
    for (const name of ['a', 'b']) {
      const coordinator = await RedisCoordinator.connect({ url: URL, prefix });
      const changes: Candidate['changes'] = [];
      const leadership = new Leadership(coordinator, { owner: name, ttlMs: TTL_MS, onError: () => undefined }, (leading) => {
        const other = pair.find((c) => c.name !== name);
        changes.push({ leading, at: performance.now(), otherLeading: other?.leadership.isLeader ?? false });
      });
      pair.push({ name, coordinator, leadership, changes });
    }
    running.push(...pair);
    return pair as [Candidate, Candidate];
  }

  /** Polls until `test` holds; answers when (performance.now()), or fails after `ms`. */
  async function until(test: () => boolean, ms: number): Promise<number> {
    const deadline = performance.now() + ms;
    while (!test()) {
      if (performance.now() > deadline) throw new Error(`not within ${ms} ms`);
      await sleep(5);
    }
    return performance.now();
  }

  afterEach(async () => {
    for (const c of running.splice(0)) {
      await c.leadership.stop();
      await c.coordinator.close();
    }
    const raw = createClient({ url: URL });
    raw.on('error', () => undefined); // failures show up in the commands
    await raw.connect();
    for await (const keys of raw.scanIterator({ MATCH: `${prefix}:*` })) if (keys.length) await raw.unlink(keys);
    await raw.close();
  });

  it('elects exactly one of two, and it stays the leader while it renews', async () => {
    const [a, b] = await candidates();
    await Promise.all([a.leadership.start(), b.leadership.start()]);
    expect([a.leadership.isLeader, b.leadership.isLeader].filter(Boolean)).toHaveLength(1);
    await sleep(4 * TTL_MS);
    expect([a.leadership.isLeader, b.leadership.isLeader].filter(Boolean)).toHaveLength(1);
    // Nobody flapped: one change in all, to leading.
    expect([...a.changes, ...b.changes].map((c) => c.leading)).toEqual([true]);
  });

  it('hands over within ttl + renew interval when the leader dies without releasing, and the old leader steps down first', async () => {
    const [a, b] = await candidates();
    await a.leadership.start();
    await b.leadership.start();
    expect(a.leadership.isLeader).toBe(true);
    expect(b.leadership.isLeader).toBe(false);

    // Death: a's connection goes away, so it can neither renew nor release.
    await a.coordinator.close();
    const died = performance.now();
    const tookOver = await until(() => b.leadership.isLeader, TTL_MS + RENEW_MS + SLACK_MS + 1_000);
    expect(tookOver - died).toBeLessThanOrEqual(TTL_MS + RENEW_MS + SLACK_MS);
    // a gave up before its lease could have run out: never two leaders.
    expect(a.leadership.isLeader).toBe(false);
    expect(a.changes.map((c) => c.leading)).toEqual([true, false]);
    expect(b.changes).toEqual([expect.objectContaining({ leading: true, otherLeading: false })]);
    expect(a.changes[1]!.at).toBeLessThan(b.changes[0]!.at);
  });

  it('takes a released lease at the next renewal', async () => {
    const [a, b] = await candidates();
    await a.leadership.start();
    await b.leadership.start();
    expect(a.leadership.isLeader).toBe(true);

    await a.leadership.stop(); // a graceful stop releases the lease
    const released = performance.now();
    const tookOver = await until(() => b.leadership.isLeader, RENEW_MS + SLACK_MS + 1_000);
    expect(tookOver - released).toBeLessThanOrEqual(RENEW_MS + SLACK_MS);
    expect(b.changes).toEqual([expect.objectContaining({ leading: true, otherLeading: false })]);
  });
});
