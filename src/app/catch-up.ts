/**
 * When the platforms are read again from each channel's cursor, beyond the
 * start-up catch-up every adapter does when it connects:
 *
 *   - when the store is back after an outage: events refused while it was
 *     away (an HTTP 500 to Slack) are redelivered for a few minutes at most,
 *     and not at all once the platform gives up, so every bound channel is
 *     read again — from the outage's start (less an overlap) at least, since
 *     live events may move a cursor past what was refused before the pass
 *     gets to its channel;
 *   - every `catchUp.interval` (default 10 min), as a safety net for events
 *     lost any other way.
 *
 * Among replicas the leader does it (catching up twice is harmless —
 * messages are recognised by their platform id — but costs API calls). The
 * floor of a pass owed after an outage is kept in the store per platform
 * until a pass from it ends with every channel read, so a crash during the
 * pass leaves it to the next start.
 */
import type { Platform } from '../domain/ticket.js';
import { describe, type Logger } from '../service/logger.js';
import type { TicketStore } from '../store/ports.js';

/** How far a platform's catch-up has come. */
export interface CatchUpProgress {
  /** Bound channels the running pass has not finished yet (0 between passes). */
  channelsBehind: number;
  /** The instant (epoch ms) of the oldest cursor among them. */
  oldestCursorAt?: number;
  /** When the last pass ended (epoch ms). */
  lastPassAt?: number;
}

/** A platform adapter's catch-up (adapters/common/reconcile.ts), as the app drives it. */
export interface CatchUpRunner<R extends { failed: readonly string[] } = { failed: readonly string[] }> {
  readonly platform: Platform;
  /**
   * One pass over every bound channel; `since`: read each from this instant (epoch ms) at least;
   * `periodic`: the safety net, while the platform's connection was up (nothing was edited unseen).
   */
  run(reason: string, options?: { since?: number; periodic?: boolean }): Promise<R>;
  progress(): CatchUpProgress;
}

/** What a platform adapter finds on its host (adapters/platform.ts). */
export interface CatchUpHost {
  /**
   * Runs the platform's start-up pass (from the floor an outage left, if
   * any), then has it run again when the store comes back and on the interval.
   */
  attach<R extends { failed: readonly string[] }>(runner: CatchUpRunner<R>): Promise<R>;
  /** No more passes for this platform from here (its connection stopped). */
  detach(platform: Platform): void;
}

export interface CatchUpDriverOptions {
  store: Pick<TicketStore, 'getMeta' | 'setMeta'>;
  log: Logger;
  now: () => number;
  /** Between safety-net passes (ms); 0: none. */
  intervalMs: number;
  /** Read this much before an outage's start too (ms): events taken just before it may not have been handled. */
  overlapMs: number;
  /** Whether this process runs the passes (the leader among replicas). */
  leads: () => boolean;
  /** Whether the store answers now. */
  storeUp: () => boolean;
}

const floorKey = (platform: Platform) => `catch-up-floor:${platform}`;

export class CatchUpDriver implements CatchUpHost {
  private readonly runners = new Map<Platform, CatchUpRunner>();
  /** The start of an outage whose catch-up is still owed (epoch ms). */
  private owed: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private settling: Promise<void> | undefined;

  constructor(private readonly options: CatchUpDriverOptions) {}

  async attach<R extends { failed: readonly string[] }>(runner: CatchUpRunner<R>): Promise<R> {
    this.runners.set(runner.platform, runner);
    const since = await this.floor(runner.platform);
    const report = await runner.run('start-up', since !== undefined ? { since } : {});
    if (since !== undefined && report.failed.length === 0) await this.clearFloor(runner.platform);
    return report;
  }

  detach(platform: Platform): void {
    this.runners.delete(platform);
  }

  /** Starts the safety-net interval. */
  start(): void {
    if (this.options.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.safetyNet(), this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** The store stopped answering at `since`: a catch-up is owed once it is back. */
  storeDown(since: number): void {
    this.owed = Math.min(this.owed ?? Infinity, since);
    this.options.log.warn({ since: new Date(since).toISOString() }, 'the store does not answer; what the platforms deliver meanwhile is refused, and read again from the channels once it is back');
  }

  /** The store answers again. */
  storeUp(downSince: number): void {
    this.owed = Math.min(this.owed ?? Infinity, downSince);
    this.options.log.info({ downSince: new Date(downSince).toISOString(), downForMs: this.options.now() - downSince }, 'the store answers again; catching up on every bound channel');
    void this.settleOwed();
  }

  /** This process became the leader: a catch-up owed is its to run. */
  leadershipGained(): void {
    void this.settleOwed();
  }

  progress(): Map<Platform, CatchUpProgress> {
    return new Map([...this.runners].map(([platform, runner]) => [platform, runner.progress()]));
  }

  /** Runs the owed pass on every attached platform, once the store answers and this process leads. */
  private settleOwed(): Promise<void> {
    if (this.settling) return this.settling;
    const settling = (async () => {
      await Promise.resolve(); // `settling` is set before the loop can end
      try {
        while (this.owed !== undefined && this.options.storeUp() && this.options.leads()) {
          const since = Math.max(0, this.owed - this.options.overlapMs);
          this.owed = undefined;
          await this.runAll('store back', since);
        }
      } finally {
        this.settling = undefined;
      }
    })();
    this.settling = settling;
    return settling;
  }

  private async runAll(reason: string, since?: number, runners: CatchUpRunner[] = [...this.runners.values()], periodic = false): Promise<void> {
    const { log } = this.options;
    await Promise.all(
      runners.map(async (runner) => {
        try {
          const floor = since !== undefined ? await this.keepFloor(runner.platform, since) : undefined;
          const report = await runner.run(reason, { ...(floor !== undefined ? { since: floor } : {}), ...(periodic ? { periodic } : {}) });
          if (floor !== undefined && report.failed.length === 0) await this.clearFloor(runner.platform);
        } catch (err) {
          log.error({ platform: runner.platform, reason, err: describe(err) }, 'catching up on the channels failed; the next pass tries again');
          if (since !== undefined) this.owed = Math.min(this.owed ?? Infinity, since + this.options.overlapMs);
        }
      }),
    );
  }

  private async safetyNet(): Promise<void> {
    if (!this.options.storeUp() || !this.options.leads()) return;
    if (this.owed !== undefined) return void this.settleOwed();
    // A pass still under way (thousands of channels at Slack's 50 reads a minute take a while) is not queued again.
    const idle = [...this.runners.values()].filter((runner) => runner.progress().channelsBehind === 0);
    await this.runAll('safety net', undefined, idle, true);
  }

  private async floor(platform: Platform): Promise<number | undefined> {
    const value = await this.options.store.getMeta(floorKey(platform));
    const ms = value ? Number(value) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  }

  /** Keeps `since` as the platform's floor unless an earlier one is kept already; returns the floor kept. */
  private async keepFloor(platform: Platform, since: number): Promise<number> {
    const kept = await this.floor(platform);
    if (kept !== undefined && kept <= since) return kept;
    await this.options.store.setMeta(floorKey(platform), String(since));
    return since;
  }

  private async clearFloor(platform: Platform): Promise<void> {
    await this.options.store.setMeta(floorKey(platform), '');
  }
}
