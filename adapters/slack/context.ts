/**
 * What every part of the Slack adapter shares: the desk (the one door into
 * the core), the Web API client, the per-channel outbound queues, the staff
 * directory, the cursors, and the work that outlives a request's ack.
 */
import type { webApi } from '@slack/bolt';
import type { SupportDesk } from '../../src/service/desk-port.js';
import type { Logger } from '../../src/service/logger.js';
import type { Background } from '../common/background.js';
import type { CursorBook } from '../common/cursors.js';
import type { MethodRates } from '../common/method-rates.js';
import type { ChannelQueues } from './channel-queue.js';
import type { SlackPort } from './port.js';
import type { AuthorFacts } from './slack-message.js';
import type { StaffDirectory } from './staff.js';

export type WebClient = InstanceType<typeof webApi.WebClient>;

export interface SlackContext {
  desk: SupportDesk;
  client: WebClient;
  log: Logger;
  staff: StaffDirectory;
  queues: ChannelQueues;
  /** Reading methods within their rate tiers (history.ts). */
  rates: MethodRates;
  facts: AuthorFacts;
  cursors: CursorBook;
  background: Background;
  port: SlackPort;
}

/** Answer budget (../common/background.ts): Slack's 3 s minus room for the response to travel. */
export const ACK_BUDGET_MS = 2_000;
