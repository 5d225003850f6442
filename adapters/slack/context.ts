/**
 * What every part of the Slack adapter shares: the bot (the one door into
 * the core), the Web API client, the per-channel outbound queues, the staff
 * directory, the cursors, and the work that outlives a request's ack.
 */
import type { webApi } from '@slack/bolt';
import type { Bot } from '../../src/service/bot.js';
import type { Logger } from '../../src/service/logger.js';
import type { CursorBook } from '../common/cursors.js';
import type { ChannelQueues } from './channel-queue.js';
import type { SlackPort } from './port.js';
import type { AuthorFacts } from './slack-message.js';
import type { StaffDirectory } from './staff.js';

export type WebClient = InstanceType<typeof webApi.WebClient>;

export interface SlackContext {
  bot: Bot;
  client: WebClient;
  log: Logger;
  staff: StaffDirectory;
  queues: ChannelQueues;
  facts: AuthorFacts;
  cursors: CursorBook;
  background: Background;
  port: SlackPort;
}

/**
 * Slack wants an answer within 3 seconds. Handlers wait for their work up to
 * a bound and then let it finish in the background, so a slow call (a 429
 * being waited out) never turns into a timeout and a redelivery.
 */
export class Background {
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly onError: (err: unknown) => void) {}

  /**
   * Resolves when `work` settles or after `ms`, whichever comes first. A
   * failure of `work` goes to onError — except one that `refuse` picks, which
   * rejects (within the budget) so the request is refused and redelivered.
   */
  async within(work: Promise<unknown>, ms: number, refuse?: (err: unknown) => boolean): Promise<'done' | 'later'> {
    let refused: unknown;
    const tracked: Promise<void> = work.then(
      () => undefined,
      (err: unknown) => {
        if (refuse?.(err)) refused = err;
        else this.onError(err);
      },
    );
    void tracked.finally(() => this.running.delete(tracked));
    this.running.add(tracked);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'later'>((resolve) => {
      timer = setTimeout(() => resolve('later'), ms);
    });
    try {
      const outcome = await Promise.race([tracked.then(() => 'done' as const), late]);
      if (refused !== undefined) throw refused;
      return outcome;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits for background work to finish (at most `timeoutMs`). */
  async drain(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.running.size > 0 && Date.now() < deadline) {
      await Promise.race([Promise.allSettled([...this.running]), new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
    }
  }
}

/** Answer budget: Slack's 3 s minus room for the response to travel. */
export const ACK_BUDGET_MS = 2_000;
