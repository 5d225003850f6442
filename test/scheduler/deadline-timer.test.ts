import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineQueue, type DeadlineEntry } from '../../src/scheduler/deadline-queue.js';
import { DeadlineTimer, MAX_TIMER_DELAY_MS, realTimers, type TimerHost } from '../../src/scheduler/deadline-timer.js';

const T0 = Date.UTC(2026, 2, 9, 12, 0, 0);
const DAY = 86_400_000;

/** A host over vitest's fake timers that also counts live timers (the "single timer" rule). */
function fakeHost(): TimerHost & { live: Set<unknown>; armed: number[] } {
  const live = new Set<unknown>();
  const armed: number[] = [];
  return {
    live,
    armed,
    now: () => Date.now(),
    setTimeout(fn, ms) {
      armed.push(ms);
      const handle = setTimeout(() => {
        live.delete(handle);
        fn();
      }, ms);
      live.add(handle);
      return handle;
    },
    clearTimeout(handle) {
      live.delete(handle);
      clearTimeout(handle as ReturnType<typeof setTimeout>);
    },
  };
}

function setup(onDue?: (due: DeadlineEntry[]) => void | Promise<void>, onError?: (e: unknown, due: DeadlineEntry[]) => void) {
  const queue = new DeadlineQueue();
  const host = fakeHost();
  const fired: DeadlineEntry[][] = [];
  const timer = new DeadlineTimer(queue, onDue ?? ((due) => void fired.push(due)), host, onError);
  timer.start();
  return { queue, host, fired, timer };
}

describe('DeadlineTimer', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(T0);
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('fires an entry at its instant, not before', () => {
    const { fired, timer, queue } = setup();
    timer.schedule('a', T0 + 1_000);
    vi.advanceTimersByTime(999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([[{ key: 'a', at: T0 + 1_000 }]]);
    expect(queue.size).toBe(0);
  });

  it('fires instants already past on the next tick instead of dropping them', () => {
    const { fired, timer } = setup();
    timer.schedule('late', T0 - 60_000);
    timer.schedule('later', T0 - 1);
    expect(fired).toEqual([]); // never synchronously inside schedule()
    vi.advanceTimersByTime(0);
    expect(fired).toEqual([
      [
        { key: 'late', at: T0 - 60_000 },
        { key: 'later', at: T0 - 1 },
      ],
    ]);
  });

  it('delivers every entry due at the moment the timer fires in one batch', () => {
    const { fired, timer } = setup();
    timer.schedule('b', T0 + 100);
    timer.schedule('a', T0 + 100);
    timer.schedule('c', T0 + 200);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([
      [
        { key: 'b', at: T0 + 100 },
        { key: 'a', at: T0 + 100 },
      ],
    ]);
    vi.advanceTimersByTime(100);
    expect(fired[1]).toEqual([{ key: 'c', at: T0 + 200 }]);
  });

  it('re-arms for an earlier insert and keeps a single timer', () => {
    const { fired, timer, host } = setup();
    timer.schedule('late', T0 + 10_000);
    timer.schedule('early', T0 + 1_000);
    expect(host.live.size).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual([[{ key: 'early', at: T0 + 1_000 }]]);
    expect(host.live.size).toBe(1);
    vi.advanceTimersByTime(9_000);
    expect(fired[1]).toEqual([{ key: 'late', at: T0 + 10_000 }]);
    expect(host.live.size).toBe(0);
  });

  it('does not touch the timer when the earliest instant did not change', () => {
    const { timer, host } = setup();
    timer.schedule('first', T0 + 1_000);
    for (let i = 0; i < 50; i++) timer.schedule(`k${i}`, T0 + 5_000 + i);
    timer.cancel('k3');
    timer.cancel('absent');
    expect(host.armed).toHaveLength(1);
  });

  it('cancel of the armed entry re-arms for the next one', () => {
    const { fired, timer, host } = setup();
    timer.schedule('a', T0 + 1_000);
    timer.schedule('b', T0 + 3_000);
    timer.cancel('a');
    expect(host.live.size).toBe(1);
    vi.advanceTimersByTime(2_999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([[{ key: 'b', at: T0 + 3_000 }]]);
    timer.schedule('c', T0 + 10_000);
    timer.cancel('c');
    expect(host.live.size).toBe(0);
    vi.advanceTimersByTime(DAY);
    expect(fired).toHaveLength(1);
  });

  it('moving the armed entry later re-arms for the new instant', () => {
    const { fired, timer } = setup();
    timer.schedule('a', T0 + 1_000);
    timer.schedule('a', T0 + 5_000);
    vi.advanceTimersByTime(4_999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([[{ key: 'a', at: T0 + 5_000 }]]);
  });

  it('clamps delays to 2^31-1 ms and never fires early', () => {
    const { fired, timer, host } = setup();
    timer.schedule('far', T0 + 40 * DAY);
    expect(host.armed).toEqual([MAX_TIMER_DELAY_MS]);
    vi.advanceTimersByTime(25 * DAY);
    expect(fired).toEqual([]);
    expect(host.armed).toHaveLength(2); // woke at ~24.86 days, re-armed for the rest
    expect(host.live.size).toBe(1);
    vi.advanceTimersByTime(15 * DAY - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual([[{ key: 'far', at: T0 + 40 * DAY }]]);
  });

  it('does nothing before start() and after stop(), and ignores a late callback', () => {
    const queue = new DeadlineQueue();
    const fired: DeadlineEntry[][] = [];
    // A host whose clearTimeout does not actually cancel, to simulate a callback already in flight.
    const leaky: TimerHost = { now: () => Date.now(), setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: () => {} };
    const timer = new DeadlineTimer(queue, (due) => void fired.push(due), leaky);
    timer.schedule('a', T0 + 100);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual([]);
    timer.start();
    timer.stop();
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual([]);
    expect(queue.size).toBe(1);
    timer.start();
    vi.advanceTimersByTime(0);
    expect(fired).toEqual([[{ key: 'a', at: T0 + 100 }]]);
  });

  it('never runs an async onDue concurrently; entries due meanwhile come after it settles', async () => {
    let active = 0;
    let maxActive = 0;
    const batches: string[][] = [];
    const deliveredAt: number[] = [];
    const { timer } = setup(async (due) => {
      active++;
      maxActive = Math.max(maxActive, active);
      batches.push(due.map((e) => e.key));
      deliveredAt.push(Date.now() - T0);
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      active--;
    });
    timer.schedule('a', T0 + 1_000);
    timer.schedule('b', T0 + 2_000);
    timer.schedule('c', T0 + 3_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(batches).toEqual([['a']]);
    await vi.advanceTimersByTimeAsync(3_000); // b and c come due while 'a' is still being handled
    expect(batches).toEqual([['a']]);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(batches).toEqual([['a']]);
    await vi.advanceTimersByTimeAsync(1); // 'a' settles at T0+6000 ...
    expect(batches).toEqual([['a']]);
    // ... and what came due meanwhile follows on the next tick (a 0 ms timer; sinon's fake clock
    // places a 0 ms timer created during a tick 1 ms later).
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([['a'], ['b', 'c']]);
    expect(deliveredAt[0]).toBe(1_000);
    expect(deliveredAt[1]).toBeGreaterThanOrEqual(6_000);
    expect(deliveredAt[1]).toBeLessThanOrEqual(6_001);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(maxActive).toBe(1);
    expect(active).toBe(0);
  });

  it('lets onDue schedule follow-ups synchronously', () => {
    const seen: string[] = [];
    const { timer } = setup((due) => {
      for (const { key, at } of due) {
        seen.push(key);
        if (key === 'step1') timer.schedule('step2', at + 1_000);
      }
    });
    timer.schedule('step1', T0 + 1_000);
    vi.advanceTimersByTime(1_000);
    expect(seen).toEqual(['step1']);
    vi.advanceTimersByTime(1_000);
    expect(seen).toEqual(['step1', 'step2']);
  });

  it('reports throws and rejections to onError and keeps going', async () => {
    const errors: [unknown, string[]][] = [];
    const seen: string[] = [];
    const { timer } = setup(
      async (due) => {
        const keys = due.map((e) => e.key);
        seen.push(...keys);
        if (keys.includes('boom-sync')) throw new Error('sync');
        await Promise.resolve();
        if (keys.includes('boom-async')) throw new Error('async');
      },
      (error, due) => errors.push([error, due.map((e) => e.key)]),
    );
    timer.schedule('boom-async', T0 + 1_000);
    timer.schedule('ok', T0 + 2_000);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(seen).toEqual(['boom-async', 'ok']);
    expect(errors).toHaveLength(1);
    expect((errors[0]![0] as Error).message).toBe('async');
    expect(errors[0]![1]).toEqual(['boom-async']);
  });

  it('reports a synchronous throw and survives a throwing onError', () => {
    const seen: string[] = [];
    const errors: unknown[] = [];
    const queue = new DeadlineQueue();
    const timer = new DeadlineTimer(
      queue,
      (due) => {
        seen.push(...due.map((e) => e.key));
        if (due.some((e) => e.key.startsWith('boom'))) throw new Error('sync');
      },
      fakeHost(),
      (error) => {
        errors.push(error);
        throw new Error('handler broke too');
      },
    );
    timer.start();
    timer.schedule('boom1', T0 + 10);
    timer.schedule('boom2', T0 + 20);
    timer.schedule('fine', T0 + 30);
    vi.advanceTimersByTime(30);
    expect(seen).toEqual(['boom1', 'boom2', 'fine']);
    expect(errors).toHaveLength(2);
  });

  it('unrefs the timer only when asked', () => {
    const unrefs: boolean[] = [];
    const host = (tag: boolean): TimerHost => ({
      now: () => Date.now(),
      setTimeout: () => ({ unref: () => unrefs.push(tag) }),
      clearTimeout: () => {},
    });
    const q1 = new DeadlineQueue();
    q1.set('a', T0 + 10);
    const t1 = new DeadlineTimer(q1, () => {}, host(false));
    t1.start();
    const t2 = new DeadlineTimer(q1, () => {}, host(true), undefined, { unref: true });
    t2.start();
    expect(unrefs).toEqual([true]);
  });

  it('realTimers reads the (faked) global clock', () => {
    expect(realTimers.now()).toBe(T0);
    let ran = false;
    const handle = realTimers.setTimeout(() => (ran = true), 10);
    vi.advanceTimersByTime(10);
    expect(ran).toBe(true);
    realTimers.clearTimeout(handle);
  });
});
