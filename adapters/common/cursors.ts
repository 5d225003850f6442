/**
 * Reconciliation cursors: per bound customer channel, the position of the
 * newest message the adapter has read there (top level and threads alike),
 * kept in the store so that after downtime reconciliation (reconcile.ts)
 * reads the channel from there. A cursor only moves forward; what "forward"
 * means is the platform's (CursorOrder).
 */
import type { Platform } from '../../src/domain/ticket.js';

/** Where cursors are kept (the desk's getCursor / setCursor). */
export interface CursorStore {
  getCursor(platform: Platform, channelId: string): Promise<string | undefined>;
  setCursor(platform: Platform, channelId: string, position: string): Promise<void>;
}

/** How a platform orders the positions of messages (Slack ts, Discord snowflakes), and how they relate to time. */
export interface CursorOrder {
  /** Negative when `a` comes before `b`. */
  compare(a: string, b: string): number;
  /** The position of an instant (epoch ms): whatever is posted from then on comes after it. */
  at(ms: number): string;
  /** The instant (epoch ms) of a position. */
  timeOf(position: string): number;
}

export class CursorBook {
  private readonly known = new Map<string, string | undefined>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly store: CursorStore,
    private readonly platform: Platform,
    private readonly order: Pick<CursorOrder, 'compare'>,
  ) {}

  /** The channel's cursor; undefined before the channel was ever read. */
  async get(channelId: string): Promise<string | undefined> {
    if (!this.known.has(channelId)) this.known.set(channelId, await this.store.getCursor(this.platform, channelId));
    return this.known.get(channelId);
  }

  /**
   * Whether the store no longer has a cursor this process read or wrote for
   * the channel: a store that came back empty (a Redis restarted without its
   * data). The cursor known here is written again.
   */
  async lostInStore(channelId: string): Promise<boolean> {
    const known = this.known.get(channelId);
    if (known === undefined || (await this.store.getCursor(this.platform, channelId)) !== undefined) return false;
    await this.store.setCursor(this.platform, channelId, known);
    return true;
  }

  /** The channel's cursor as last read or written here, without asking the store (undefined when not known yet). */
  peek(channelId: string): string | undefined {
    return this.known.get(channelId);
  }

  /** Moves the channel's cursor to `position` if that is newer. Calls for one channel run one after another. */
  advance(channelId: string, position: string): Promise<void> {
    const previous = this.chains.get(channelId) ?? Promise.resolve();
    const next = previous.then(async () => {
      const current = await this.get(channelId);
      if (current !== undefined && this.order.compare(position, current) <= 0) return;
      await this.store.setCursor(this.platform, channelId, position);
      this.known.set(channelId, position);
    });
    const settled = next.catch(() => undefined);
    this.chains.set(channelId, settled);
    void settled.then(() => {
      if (this.chains.get(channelId) === settled) this.chains.delete(channelId);
    });
    return next;
  }
}
