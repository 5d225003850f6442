/**
 * Calls per API method within the platform's rate tier. Slack limits each
 * Web API method per app and workspace to a number of calls a minute (its
 * "tiers": conversations.history and conversations.replies are Tier 3, about
 * 50 a minute), whichever channel the call names. So calls of one method
 * start at most `limit` per window, all callers together (a sliding window:
 * a burst is allowed, the next call waits for the oldest to leave the
 * window), and a rate-limit answer pauses that method for everyone for the
 * time the platform asks before the call is tried again.
 */

export interface MethodRatesOptions {
  /** Calls per window, by method; a method not listed is not paced. */
  limits: Readonly<Record<string, number>>;
  /** The window (ms; default a minute). Benches shrink it with a fake platform whose minute is shorter. */
  windowMs?: number;
  /**
   * Counted as part of the window too (ms; default 5 % of it): a call starts
   * here before it reaches the platform, and calls started in order may arrive
   * out of order, so a window measured exactly here can look fuller there.
   */
  marginMs?: number;
  /** Seconds to wait when `err` is the platform saying "too many requests" (0: it did not say), else undefined. */
  rateLimitedFor: (err: unknown) => number | undefined;
  /** Attempts per call when rate limited (the first included; default 5). */
  maxAttempts?: number;
  /** Used when a rate-limit answer carries no usable wait (seconds; default 1). */
  defaultRetryAfterSec?: number;
  onRateLimited?: (method: string, retryAfterSec: number) => void;
}

interface MethodState {
  /** Start times of the calls in the current window, oldest first. */
  starts: number[];
  pausedUntil: number;
  calls: number;
  rateLimited: number;
}

export class MethodRates {
  private readonly methods = new Map<string, MethodState>();
  /** Calls waiting for a slot, woken by stop() so that a shutdown never waits out a rate window. */
  private readonly sleepers = new Set<() => void>();
  private stopped = false;

  constructor(private readonly options: MethodRatesOptions) {}

  /** From now on every waiting and new call fails at once (the connection is shutting down). */
  stop(): void {
    this.stopped = true;
    for (const wake of this.sleepers) wake();
    this.sleepers.clear();
  }

  /** Runs `call` (a call of `method`) once the method's tier allows, trying again after a rate-limit answer. */
  async run<T>(method: string, call: () => Promise<T>): Promise<T> {
    const state = this.state(method);
    const maxAttempts = this.options.maxAttempts ?? 5;
    for (let attempt = 1; ; attempt++) {
      await this.slot(method, state);
      state.calls++;
      try {
        return await call();
      } catch (err) {
        const retryAfter = this.options.rateLimitedFor(err);
        if (retryAfter === undefined) throw err;
        state.rateLimited++;
        const seconds = retryAfter > 0 ? retryAfter : (this.options.defaultRetryAfterSec ?? 1);
        state.pausedUntil = Math.max(state.pausedUntil, Date.now() + seconds * 1000);
        this.options.onRateLimited?.(method, seconds);
        if (attempt >= maxAttempts) throw err;
      }
    }
  }

  /** Calls started and rate-limit answers received, by method. */
  counts(): Record<string, { calls: number; rateLimited: number }> {
    return Object.fromEntries([...this.methods].map(([method, s]) => [method, { calls: s.calls, rateLimited: s.rateLimited }]));
  }

  private state(method: string): MethodState {
    let state = this.methods.get(method);
    if (!state) {
      state = { starts: [], pausedUntil: 0, calls: 0, rateLimited: 0 };
      this.methods.set(method, state);
    }
    return state;
  }

  /** Waits until the method may start a call, and counts the start. */
  private async slot(method: string, state: MethodState): Promise<void> {
    const limit = this.options.limits[method];
    const windowMs = (this.options.windowMs ?? 60_000) + (this.options.marginMs ?? (this.options.windowMs ?? 60_000) * 0.05);
    for (;;) {
      if (this.stopped) throw new Error(`${method}: not called, the connection is stopping`);
      const now = Date.now();
      while (state.starts.length > 0 && state.starts[0]! <= now - windowMs) state.starts.shift();
      const full = limit !== undefined && state.starts.length >= limit ? state.starts[0]! + windowMs - now : 0;
      const wait = Math.max(state.pausedUntil - now, full);
      if (wait <= 0) {
        if (limit !== undefined) state.starts.push(now);
        return;
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, wait);
        this.sleepers.add(wake);
      });
    }
  }
}
