/**
 * One leader among the replicas, by a renewed lease. The leader runs what
 * must run once: the Discord gateway connection and the recurring jobs
 * (handoff announcements, the digest). A leader that dies stops renewing;
 * its lease expires after `ttlMs` and the next replica to try takes it, so a
 * handover takes at most ttlMs + renewEveryMs (10 s + 3 s by default).
 */
import type { Coordinator } from '../store/coordination.js';

export interface LeadershipOptions {
  name?: string;
  owner: string;
  ttlMs?: number;
  renewEveryMs?: number;
  onError?: (err: unknown) => void;
}

export class Leadership {
  private leading = false;
  private timer: NodeJS.Timeout | undefined;
  private lastHeldAt = 0;
  private stopped = false;
  private readonly name: string;
  private readonly ttlMs: number;
  private readonly renewEveryMs: number;

  constructor(
    private readonly coordinator: Coordinator,
    private readonly options: LeadershipOptions,
    private readonly onChange: (leading: boolean) => void | Promise<void>,
  ) {
    this.name = options.name ?? 'leader';
    this.ttlMs = options.ttlMs ?? 10_000;
    this.renewEveryMs = options.renewEveryMs ?? Math.max(100, Math.floor(this.ttlMs / 3));
  }

  get isLeader(): boolean {
    return this.leading;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.leading) {
      await this.set(false);
      await this.coordinator.releaseLease(this.name, this.options.owner).catch((err: unknown) => this.options.onError?.(err));
    }
  }

  private async tick(): Promise<void> {
    let held = false;
    try {
      held = await this.coordinator.holdLease(this.name, this.options.owner, this.ttlMs);
      if (held) this.lastHeldAt = Date.now();
    } catch (err) {
      this.options.onError?.(err);
      // Cannot reach the store: keep leading only if the lease we last renewed is surely ours until the next
      // tick, with a tick to spare for a late timer — else another replica could take it over while we still lead.
      held = this.leading && Date.now() - this.lastHeldAt + 2 * this.renewEveryMs < this.ttlMs;
    }
    if (this.stopped) return;
    if (held !== this.leading) await this.set(held);
    if (!this.stopped) {
      this.timer = setTimeout(() => void this.tick(), this.renewEveryMs);
      this.timer.unref();
    }
  }

  private async set(leading: boolean): Promise<void> {
    this.leading = leading;
    try {
      await this.onChange(leading);
    } catch (err) {
      this.options.onError?.(err);
    }
  }
}
