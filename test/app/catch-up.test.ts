/**
 * The store's health as a state that changes (probes decide; a failed
 * operation only asks for a probe), and what the app does with it: a
 * catch-up on every attached platform once the store is back, from before
 * the outage began, run by the leader; a floor kept in the store until a
 * pass from it reads every channel, so the next start uses it.
 */
import { describe, expect, it } from 'vitest';
import { CatchUpDriver, type CatchUpRunner } from '../../src/app/catch-up.js';
import { silentLogger } from '../../src/service/logger.js';
import { StoreHealth } from '../../src/store/health.js';
import { openMemoryStore } from '../../src/store/open.js';
import { StoreError } from '../../src/store/ports.js';
import { flakyStore } from '../helpers/flaky-store.js';

const MIN = 60_000;

class RecordingRunner implements CatchUpRunner {
  readonly passes: { reason: string; since?: number; periodic?: boolean }[] = [];
  failed: string[] = [];
  constructor(readonly platform: 'slack' | 'discord' = 'slack') {}
  async run(reason: string, options: { since?: number; periodic?: boolean } = {}) {
    this.passes.push({ reason, ...options });
    return { failed: this.failed };
  }
  progress() {
    return { channelsBehind: 0 };
  }
}

describe('the store\'s health', () => {
  it('goes down when a probe fails and up when one answers, remembering when the outage began', async () => {
    const store = flakyStore(openMemoryStore());
    let t = 1_000;
    const changes: string[] = [];
    const health = new StoreHealth(store, { now: () => t, onDown: (since) => changes.push(`down ${since}`), onUp: (since) => changes.push(`up after ${since}`) });
    const watched = health.watch(store);

    // A failed operation alone changes nothing until a probe confirms it; the outage began at that failure.
    store.down = true;
    health.failed(new StoreError('locking x failed'));
    t = 3_000;
    await health.probe();
    expect(health.isUp).toBe(false);
    expect(health.outageSince).toBe(1_000);
    await expect(watched.get(1)).rejects.toThrow(StoreError);

    store.down = false;
    t = 9_000;
    await health.probe();
    expect(health.isUp).toBe(true);
    expect(changes).toEqual(['down 1000', 'up after 1000']);
    // An error that is not the store's is not an outage, and a probe that answers changes nothing.
    health.failed(new Error('ticket 5 does not exist'));
    await health.probe();
    expect(changes).toHaveLength(2);
  });
});

describe('catching up after a store outage', () => {
  function driver(options: { leads: () => boolean; storeUp?: () => boolean }) {
    const store = openMemoryStore();
    const catchUp = new CatchUpDriver({ store, log: silentLogger, now: () => 100 * MIN, intervalMs: 0, overlapMs: 5 * MIN, leads: options.leads, storeUp: options.storeUp ?? (() => true) });
    return { store, catchUp };
  }

  it('runs every attached platform from before the outage once the store is back, on the leader', async () => {
    let leading = false;
    const { catchUp } = driver({ leads: () => leading });
    const slack = new RecordingRunner('slack');
    const discord = new RecordingRunner('discord');
    await catchUp.attach(slack);
    await catchUp.attach(discord);
    expect(slack.passes).toEqual([{ reason: 'start-up' }]);

    catchUp.storeDown(60 * MIN);
    catchUp.storeUp(60 * MIN);
    await new Promise((r) => setTimeout(r, 10));
    expect(slack.passes).toHaveLength(1); // not the leader: the leader does it

    leading = true;
    catchUp.leadershipGained();
    await new Promise((r) => setTimeout(r, 10));
    expect(slack.passes.at(-1)).toEqual({ reason: 'store back', since: 55 * MIN });
    expect(discord.passes.at(-1)).toEqual({ reason: 'store back', since: 55 * MIN });
  });

  it('keeps the floor in the store until a pass from it reads every channel; the next start reads from it', async () => {
    const { store, catchUp } = driver({ leads: () => true });
    const slack = new RecordingRunner();
    await catchUp.attach(slack);
    slack.failed = ['C0ACME'];
    catchUp.storeUp(60 * MIN);
    await new Promise((r) => setTimeout(r, 10));
    expect(slack.passes.at(-1)).toEqual({ reason: 'store back', since: 55 * MIN });

    // A new process on the same store: its start-up pass reads from the floor, and clears it once every channel was read.
    const next = new CatchUpDriver({ store, log: silentLogger, now: () => 200 * MIN, intervalMs: 0, overlapMs: 5 * MIN, leads: () => true, storeUp: () => true });
    const restarted = new RecordingRunner();
    await next.attach(restarted);
    expect(restarted.passes).toEqual([{ reason: 'start-up', since: 55 * MIN }]);
    const again = new RecordingRunner();
    await next.attach(again);
    expect(again.passes).toEqual([{ reason: 'start-up' }]);
  });

  it('marks the safety net\'s passes periodic (no edit audit owed), and only those', async () => {
    const store = openMemoryStore();
    const catchUp = new CatchUpDriver({ store, log: silentLogger, now: () => 100 * MIN, intervalMs: 20, overlapMs: 5 * MIN, leads: () => true, storeUp: () => true });
    const slack = new RecordingRunner();
    await catchUp.attach(slack);
    catchUp.start();
    try {
      for (let i = 0; i < 100 && slack.passes.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    } finally {
      catchUp.stop();
    }
    expect(slack.passes[0]).toEqual({ reason: 'start-up' });
    expect(slack.passes[1]).toEqual({ reason: 'safety net', periodic: true });
  });
});

