/**
 * One armed timer for the earliest deadline of a {@link DeadlineQueue}.
 *
 * - At most one host timer exists at any time; `arm()` re-arms it only when the
 *   queue's earliest instant changed.
 * - Delays are clamped to 2^31-1 ms (setTimeout's limit). A clamped timer wakes
 *   early, finds nothing due and re-arms; the callback never runs early.
 * - Instants already past fire on the next tick (delay 0); nothing is dropped.
 * - `onDue` receives every entry due when the timer fires (`popDue(now)`), and
 *   never runs concurrently with itself: while an async `onDue` is pending no
 *   timer is armed, and whatever came due meanwhile is delivered after it settles.
 * - A throw or rejection from `onDue` goes to `onError` and the timer keeps going.
 *   The due entries have already been removed from the queue; re-`schedule`
 *   them from `onError` to retry.
 */
import type { DeadlineEntry, DeadlineQueue } from './deadline-queue.js';

export interface TimerHost {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Date.now and the global timers, looked up at call time (so test fakes installed later apply). */
export const realTimers: TimerHost = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout> | undefined),
};

/** setTimeout's largest delay; longer ones overflow to 1 ms in Node and browsers. */
export const MAX_TIMER_DELAY_MS = 2 ** 31 - 1;

export type DueHandler = (due: DeadlineEntry[]) => void | Promise<void>;
export type DueErrorHandler = (error: unknown, due: DeadlineEntry[]) => void;

export interface DeadlineTimerOptions {
  /** Call `unref()` on the host timer so it alone does not keep the process alive. Default false. */
  unref?: boolean;
}

export class DeadlineTimer {
  private running = false;
  /** True while `onDue` is running (sync) or its promise is pending. */
  private busy = false;
  private handle: unknown = undefined;
  private armed = false;
  /** The queue instant the current timer was armed for (meaningful only when `armed`). */
  private armedAt = 0;
  /** Bumped whenever a timer is armed or cleared; a callback whose generation is stale is ignored. */
  private generation = 0;
  private readonly unref: boolean;

  constructor(
    private readonly queue: DeadlineQueue,
    private readonly onDue: DueHandler,
    private readonly host: TimerHost = realTimers,
    private readonly onError?: DueErrorHandler,
    options: DeadlineTimerOptions = {},
  ) {
    this.unref = options.unref ?? false;
  }

  /** Whether `start()` was called and `stop()` not since. */
  get started(): boolean {
    return this.running;
  }

  /**
   * (Re)arm one timer for the queue's earliest entry; call after any change to
   * the queue. O(1) and timer-free when the earliest instant did not change.
   * Does nothing before `start()` or while `onDue` is running (it re-arms when that settles).
   */
  arm(): void {
    if (!this.running || this.busy) return;
    const at = this.queue.peekAt();
    if (at === undefined) {
      this.disarm();
      return;
    }
    if (this.armed && at === this.armedAt) return;
    this.disarm();
    const delay = Math.min(Math.max(at - this.host.now(), 0), MAX_TIMER_DELAY_MS);
    const generation = this.generation;
    this.armed = true;
    this.armedAt = at;
    this.handle = this.host.setTimeout(() => this.fire(generation), delay);
    if (this.unref) (this.handle as { unref?: () => unknown } | null)?.unref?.();
  }

  /** `queue.set(key, at)` then `arm()`. */
  schedule(key: string, at: number): void {
    this.queue.set(key, at);
    this.arm();
  }

  /** `queue.delete(key)` then `arm()`. */
  cancel(key: string): void {
    if (this.queue.delete(key)) this.arm();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.arm();
  }

  /** Clears the timer; a callback that still arrives is ignored. An `onDue` in flight is not interrupted. */
  stop(): void {
    this.running = false;
    this.disarm();
  }

  private disarm(): void {
    this.generation++;
    if (!this.armed) return;
    this.armed = false;
    const handle = this.handle;
    this.handle = undefined;
    this.host.clearTimeout(handle);
  }

  private fire(generation: number): void {
    if (generation !== this.generation || !this.running || this.busy) return;
    this.armed = false;
    this.handle = undefined;
    this.generation++;
    const now = this.host.now();
    const at = this.queue.peekAt();
    if (at === undefined) return;
    if (at > now) {
      // Woke early: a clamped long delay, or a host clock that lags its timers.
      this.arm();
      return;
    }
    const due = this.queue.popDue(now);
    this.busy = true;
    let result: void | Promise<void>;
    try {
      result = this.onDue(due);
    } catch (error) {
      this.report(error, due);
      this.settle();
      return;
    }
    if (isThenable(result)) {
      result.then(
        () => this.settle(),
        (error: unknown) => {
          this.report(error, due);
          this.settle();
        },
      );
    } else {
      this.settle();
    }
  }

  private settle(): void {
    this.busy = false;
    this.arm();
  }

  private report(error: unknown, due: DeadlineEntry[]): void {
    if (!this.onError) return;
    try {
      this.onError(error, due);
    } catch {
      // A failing error handler must not stop the timer either; there is nowhere left to report it.
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<void> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
