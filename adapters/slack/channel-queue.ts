/**
 * Outbound Web API calls, one queue per channel. Calls for a channel run in
 * order, one at a time (Slack allows about one message per second per
 * channel); a 429 pauses that channel for its Retry-After and then retries
 * the call. Other channels carry on: a storm in one customer's channel never
 * delays the staff channel's pings.
 */
import { webApi } from '@slack/bolt';

export interface ChannelQueueOptions {
  /** Attempts per call when Slack answers 429 (the first included). */
  maxAttempts?: number;
  /** Used when a 429 carries no usable Retry-After (seconds). */
  defaultRetryAfterSec?: number;
  onRateLimited?: (key: string, retryAfterSec: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

interface Lane {
  tail: Promise<unknown>;
  pausedUntil: number;
  pending: number;
}

export class ChannelQueues {
  private readonly lanes = new Map<string, Lane>();
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ChannelQueueOptions = {}) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Runs `call` in `key`'s lane (a channel id, or `dm:<user>`), after the calls queued before it. */
  run<T>(key: string, call: () => Promise<T>): Promise<T> {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { tail: Promise.resolve(), pausedUntil: 0, pending: 0 };
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
      if (current.pending === 0 && this.lanes.get(key) === current) this.lanes.delete(key);
    });
    return result;
  }

  /** Whether `key`'s lane is waiting out a 429 right now. */
  isPaused(key: string, now = Date.now()): boolean {
    return (this.lanes.get(key)?.pausedUntil ?? 0) > now;
  }

  private async attempt<T>(key: string, lane: Lane, call: () => Promise<T>): Promise<T> {
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      const wait = lane.pausedUntil - Date.now();
      if (wait > 0) await this.sleep(wait);
      try {
        return await call();
      } catch (err) {
        const retryAfter = rateLimitedFor(err);
        if (retryAfter === undefined || attempt >= maxAttempts) throw err;
        const seconds = retryAfter > 0 ? retryAfter : (this.options.defaultRetryAfterSec ?? 1);
        lane.pausedUntil = Date.now() + seconds * 1000;
        this.options.onRateLimited?.(key, seconds);
      }
    }
  }
}

/** Seconds to wait when `err` is Slack's 429, else undefined. */
export function rateLimitedFor(err: unknown): number | undefined {
  if (err instanceof webApi.WebAPIRateLimitedError) return err.retryAfter;
  if (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === webApi.ErrorCode.RateLimitedError) {
    const seconds = (err as { retryAfter?: unknown }).retryAfter;
    return typeof seconds === 'number' ? seconds : 0;
  }
  return undefined;
}
