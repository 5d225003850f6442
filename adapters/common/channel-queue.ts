/**
 * Outbound API calls, one queue (lane) per channel. Calls in a lane run in
 * order, one at a time; a rate-limit answer pauses that lane for the time
 * the platform asks and then retries the call. Other lanes carry on: a storm
 * in one customer's channel never delays the staff channel's pings.
 *
 * A platform with a fixed per-channel rate (Feishu/Lark: 5 messages a second
 * in a group) spaces the calls of a lane (`minGapMs`); one with a rate per
 * app spreads the calls of every lane (`perSecond`). What counts as a
 * rate-limit answer is the platform's (`rateLimitedFor`).
 */

export interface ChannelQueueOptions {
  /** Seconds to wait when `err` is the platform saying "too many requests" (0: it did not say how long), else undefined. */
  rateLimitedFor: (err: unknown) => number | undefined;
  /** Attempts per call when rate limited (the first included). */
  maxAttempts?: number;
  /** Used when a rate-limit answer carries no usable wait (seconds). */
  defaultRetryAfterSec?: number;
  /** At least this long between the starts of two calls in one lane (ms). */
  minGapMs?: number;
  /** At most this many calls start per second, all lanes together. */
  perSecond?: number;
  onRateLimited?: (key: string, retryAfterSec: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

interface Lane {
  tail: Promise<unknown>;
  pausedUntil: number;
  lastStart: number;
  pending: number;
}

export class ChannelQueues {
  private readonly lanes = new Map<string, Lane>();
  private readonly sleep: (ms: number) => Promise<void>;
  /** The earliest start of the next call when calls are spread per second. */
  private nextSlot = 0;

  constructor(private readonly options: ChannelQueueOptions) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Runs `call` in `key`'s lane (a channel id, or `dm:<user>`), after the calls queued before it. */
  run<T>(key: string, call: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { tail: Promise.resolve(), pausedUntil: 0, lastStart: -Infinity, pending: 0 };
      this.lanes.set(key, lane);
    }
    const current = lane;
    current.pending++;
    const result = current.tail.then(() => this.attempt(key, current, call));
    // The next call waits for this one to settle, whatever its outcome.
    current.tail = result.then(
      () => undefined,
      () => undefined,
    );
    void current.tail.then(() => {
      current.pending--;
      if (current.pending === 0) this.forget(key, current);
    });
    return result;
  }

  /** Whether `key`'s lane is waiting out a rate limit right now. */
  isPaused(key: string, now = Date.now()): boolean {
    return (this.lanes.get(key)?.pausedUntil ?? 0) > now;
  }

  /** Drops an idle lane — once its spacing no longer matters. */
  private forget(key: string, lane: Lane): void {
    const drop = () => {
      if (lane.pending === 0 && this.lanes.get(key) === lane) this.lanes.delete(key);
    };
    const gap = this.options.minGapMs ?? 0;
    if (gap > 0) setTimeout(drop, gap).unref();
    else drop();
  }

  private async attempt<T>(key: string, lane: Lane, call: () => Promise<T>): Promise<T> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const wait = Math.max(lane.pausedUntil, lane.lastStart + (this.options.minGapMs ?? 0)) - Date.now();
      if (wait > 0) await this.sleep(wait);
      await this.slot();
      lane.lastStart = Date.now();
      try {
        return await call();
      } catch (err) {
        const retryAfter = this.options.rateLimitedFor(err);
        if (retryAfter === undefined || attempt >= maxAttempts) throw err;
        const seconds = retryAfter > 0 ? retryAfter : (this.options.defaultRetryAfterSec ?? 1);
        lane.pausedUntil = Date.now() + seconds * 1000;
        this.options.onRateLimited?.(key, seconds);
      }
    }
  }

  /** Waits for this call's turn among all lanes when calls are spread per second. */
  private async slot(): Promise<void> {
    const perSecond = this.options.perSecond;
    if (!perSecond) return;
    const now = Date.now();
    const start = Math.max(now, this.nextSlot);
    this.nextSlot = start + 1000 / perSecond;
    if (start > now) await this.sleep(start - now);
  }
}
