/**
 * Slack's outbound queues (../common/channel-queue.ts): one lane per
 * channel (Slack allows about one message per second per channel), a 429
 * pausing that lane for its Retry-After.
 */
import { webApi } from '@slack/bolt';
import { ChannelQueues as Lanes, type ChannelQueueOptions as LaneOptions } from '../common/channel-queue.js';

export type ChannelQueueOptions = Omit<LaneOptions, 'rateLimitedFor'>;

export class ChannelQueues extends Lanes {
  constructor(options: ChannelQueueOptions = {}) {
    super({ ...options, rateLimitedFor });
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
