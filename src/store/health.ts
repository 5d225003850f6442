/**
 * Whether the store answers, as a state that changes: up → down when a
 * probe fails, down → up when one answers again. Probes are PINGs: every
 * few seconds while up (an outage is noticed without any traffic), every
 * second while down (its end is noticed within a second or two), and at
 * once when an operation fails with a StoreError — which alone proves
 * nothing (a lock held too long, a ticket that does not exist), so only the
 * probe decides. Listeners hear each change: the app catches up on what the
 * platforms said while the store was away (src/app/catch-up.ts).
 */
import { StoreError, type TicketStore } from './ports.js';

export interface StoreHealthOptions {
  /** Between probes while the store answers (ms; default 5 s). */
  upProbeMs?: number;
  /** Between probes while it does not (ms; default 1 s). */
  downProbeMs?: number;
  now?: () => number;
  /** The store stopped answering; `since`: the first failure seen (epoch ms). */
  onDown?: (since: number) => void;
  /** It answers again after an outage that began at `downSince`. */
  onUp?: (downSince: number) => void;
}

export class StoreHealth {
  private up = true;
  private downSince: number | undefined;
  /** The first failure since the last successful probe (epoch ms). */
  private firstFailure: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private probing: Promise<void> | undefined;
  private running = false;
  private readonly now: () => number;

  constructor(
    private readonly store: Pick<TicketStore, 'ping'>,
    private readonly options: StoreHealthOptions = {},
  ) {
    this.now = options.now ?? Date.now;
  }

  /** True unless the last probe failed. */
  get isUp(): boolean {
    return this.up;
  }

  /** When the current outage began (epoch ms); undefined while up. */
  get outageSince(): number | undefined {
    return this.downSince;
  }

  /** `store`, with every failed operation reported here (it triggers a probe). */
  watch<S extends object>(store: S): S {
    return new Proxy(store, {
      get: (target, property, receiver) => {
        const value: unknown = Reflect.get(target, property, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
          // The caller still gets the rejection; this only notes it.
          if (result instanceof Promise) result.catch((err: unknown) => this.failed(err));
          return result;
        };
      },
    });
  }

  /** An operation failed: a StoreError makes the next probe come now. */
  failed(err: unknown): void {
    if (!(err instanceof StoreError)) return;
    this.firstFailure ??= this.now();
    if (this.running && this.up) void this.probe();
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Pings the store once and updates the state (one probe at a time). */
  probe(): Promise<void> {
    this.probing ??= (async () => {
      try {
        await this.store.ping();
        this.firstFailure = undefined;
        if (!this.up) {
          const since = this.downSince ?? this.now();
          this.up = true;
          this.downSince = undefined;
          this.options.onUp?.(since);
        }
      } catch {
        const since = this.firstFailure ?? this.now();
        this.firstFailure ??= since;
        if (this.up) {
          this.up = false;
          this.downSince = since;
          this.options.onDown?.(since);
          this.schedule(); // probe at the shorter pace from now on
        }
      } finally {
        this.probing = undefined;
      }
    })();
    return this.probing;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.running) return;
    const every = this.up ? (this.options.upProbeMs ?? 5_000) : (this.options.downProbeMs ?? 1_000);
    this.timer = setTimeout(() => {
      void this.probe().finally(() => this.schedule());
    }, every);
    this.timer.unref();
  }
}
