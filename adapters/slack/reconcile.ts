/**
 * Catching up after downtime. Bolt acknowledges an event before it is
 * handled, and Slack stops redelivering after a few minutes, so at start-up
 * each bound channel is read from its cursor on: the top-level messages
 * (conversations.history) and the replies in ticket threads and in threads
 * that started meanwhile (conversations.replies). Everything is fed, in
 * time order and with its original ts, through the same door as a live
 * event; the core's dedup by message id makes a second look harmless.
 *
 * On the very first start a channel has no cursor: it starts at the newest
 * message, and older history is not imported.
 */
import { describe } from '../../src/service/bot.js';
import type { SlackContext } from './context.js';
import { receive } from './events.js';
import { historySince, newestTs, repliesSince } from './history.js';
import { asRecord, isBotMessage, isPersonMessage, stringField, type Json } from './slack-message.js';
import { compareTs, isSlackTs, msToTs, slackToPlain, tsToMs } from './text.js';

export interface ReconcileOptions {
  /**
   * Read this much before the cursor too (ms): a message whose event was
   * acknowledged but not handled when a later one moved the cursor is still
   * found. Re-reading is harmless.
   */
  overlapMs?: number;
}

export interface ReconcileReport {
  channels: number;
  /** Messages (top-level and replies) fed to the bot. */
  messages: number;
  /** Channels that could not be read (logged). */
  failed: string[];
}

export async function reconcile(ctx: SlackContext, options: ReconcileOptions = {}): Promise<ReconcileReport> {
  const channels = [...new Set(ctx.bot.config.customers.flatMap((c) => c.channels.slack))];
  const report: ReconcileReport = { channels: channels.length, messages: 0, failed: [] };
  for (const channel of channels) {
    try {
      report.messages += await reconcileChannel(ctx, channel, options.overlapMs ?? 5 * 60_000);
    } catch (err) {
      report.failed.push(channel);
      ctx.log.warn({ channel, err: describe(err) }, 'could not catch up on the channel (is the bot a member, with the history scopes?)');
    }
  }
  ctx.log.info({ ...report }, 'caught up on the customer channels');
  return report;
}

async function reconcileChannel(ctx: SlackContext, channel: string, overlapMs: number): Promise<number> {
  const cursor = await ctx.cursors.get(channel);
  if (cursor === undefined) {
    const start = (await newestTs(ctx, channel)) ?? msToTs(ctx.bot.ctx.now());
    await ctx.cursors.advance(channel, start);
    ctx.log.info({ channel }, 'first start in this channel: tickets open from new messages on');
    return 0;
  }
  const oldest = msToTs(Math.max(0, tsToMs(cursor) - overlapMs));
  const top = await historySince(ctx, channel, oldest);

  // Threads that may hold replies since `oldest`: every live ticket's here, and any thread started meanwhile.
  const threads = new Set<string>();
  for await (const ticket of ctx.bot.activeTickets('slack')) if (ticket.channelId === channel) threads.add(ticket.threadId);
  for (const message of top) {
    const ts = stringField(message, 'ts');
    if (ts && (typeof message.reply_count === 'number' ? message.reply_count > 0 : stringField(message, 'thread_ts') === ts)) threads.add(ts);
  }
  const replies: Json[] = [];
  for (const thread of threads) replies.push(...(await repliesSince(ctx, channel, thread, oldest)));

  // In time order, as they happened: whether a message joins a ticket depends on what came before it.
  const all = [...top, ...replies].sort((a, b) => compareTs(stringField(a, 'ts') ?? '0', stringField(b, 'ts') ?? '0'));
  let fed = 0;
  for (const message of all) {
    if (!isPersonMessage(message)) continue;
    await receive(ctx, channel, message);
    fed++;
    await catchUpEdit(ctx, channel, message, cursor);
  }
  return fed;
}

/** A message edited after the cursor: its ticket gets the new text (a no-op for messages that are not a ticket's). */
async function catchUpEdit(ctx: SlackContext, channel: string, message: Json, cursor: string): Promise<void> {
  const editedTs = stringField(asRecord(message.edited), 'ts');
  const ts = stringField(message, 'ts');
  // A message newer than the cursor was just opened or recorded with its current text.
  if (!isSlackTs(editedTs) || !ts || compareTs(ts, cursor) > 0 || compareTs(editedTs, cursor) <= 0 || isBotMessage(message, ctx.facts)) return;
  await ctx.bot.messageEdited('slack', channel, ts, slackToPlain(typeof message.text === 'string' ? message.text : ''), tsToMs(editedTs));
}
