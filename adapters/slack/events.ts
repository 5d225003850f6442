/**
 * Events API → the desk. Messages (new, edited, deleted) and the :ticket:
 * reaction become calls on the one door in (desk.receiveMessage,
 * messageEdited, messageDeleted, openFromMessage). Which message opens or
 * answers a ticket is the core's decision; this file only translates.
 *
 * A malformed event is logged and skipped. Redeliveries (X-Slack-Retry-Num)
 * are handled like first deliveries: the core recognises a message it has
 * seen by its ts and does nothing twice.
 */
import type { App } from '@slack/bolt';
import { isStaff, type Author } from '../../src/domain/people.js';
import { customerForChannel } from '../../src/service/context.js';
import { isRetryable } from '../../src/service/desk-port.js';
import { describe } from '../../src/service/logger.js';
import { askerVoice } from '../../src/service/readers.js';
import { ACK_BUDGET_MS, type SlackContext } from './context.js';
import { fetchMessage } from './history.js';
import { asRecord, isBotMessage, isPersonMessage, personAuthor, stringField, toIncoming, type Json } from './slack-message.js';
import { isSlackTs, slackToPlain, tsToMs } from './text.js';

/** The reaction a staff member adds to a message to open a ticket on it. */
export const TICKET_REACTION = 'ticket';

export function registerEvents(app: App, ctx: SlackContext): void {
  // A message the desk could not take for now is refused (HTTP 500), so Slack delivers it again.
  app.event('message', async ({ event }) => {
    await ctx.background.within(handleMessageEvent(ctx, event), ACK_BUDGET_MS, isRetryable);
  });
  app.event('reaction_added', async ({ event }) => {
    await ctx.background.within(handleReaction(ctx, event), ACK_BUDGET_MS, isRetryable);
  });
}

const isBound = (ctx: SlackContext, channelId: string) => customerForChannel(ctx.desk.config, 'slack', channelId) !== undefined;

/** One `message` event, whatever its subtype. */
export async function handleMessageEvent(ctx: SlackContext, raw: unknown): Promise<void> {
  const event = asRecord(raw);
  const channel = stringField(event, 'channel');
  if (!event || !channel) {
    ctx.log.warn({ event: 'message' }, 'skipped a message event without a channel');
    return;
  }
  const subtype = stringField(event, 'subtype');
  if (subtype === 'message_changed') return handleEdit(ctx, channel, event);
  if (subtype === 'message_deleted') return handleDelete(ctx, channel, event);
  if (!isPersonMessage(event)) {
    ctx.log.debug({ channel, subtype }, 'skipped a message that is not a person\'s');
    return;
  }
  await receive(ctx, channel, event);
}

/** Hands one message object to the desk and moves the channel's cursor past it. */
async function receive(ctx: SlackContext, channel: string, message: Json): Promise<void> {
  const incoming = await toIncoming(channel, message, ctx.facts);
  if (!incoming) {
    ctx.log.warn({ channel, ts: stringField(message, 'ts') }, 'skipped a malformed message');
    return;
  }
  await ctx.desk.receiveMessage(incoming);
  if (isBound(ctx, channel)) await ctx.cursors.advance(channel, incoming.messageId);
}

async function handleEdit(ctx: SlackContext, channel: string, event: Json): Promise<void> {
  const message = asRecord(event.message);
  const ts = stringField(message, 'ts');
  if (!message || !isSlackTs(ts)) {
    ctx.log.warn({ channel }, 'skipped a malformed message_changed event');
    return;
  }
  if (isBotMessage(message, ctx.facts)) return;
  const text = typeof message.text === 'string' ? message.text : '';
  // Slack also sends message_changed for unfurls and reply counts; only a new text is an edit.
  if (text === stringField(asRecord(event.previous_message), 'text')) return;
  const editedTs = stringField(asRecord(message.edited), 'ts') ?? stringField(event, 'event_ts') ?? stringField(event, 'ts');
  const at = isSlackTs(editedTs) ? tsToMs(editedTs) : ctx.desk.now();
  await ctx.desk.messageEdited('slack', channel, ts, slackToPlain(text), at);
}

async function handleDelete(ctx: SlackContext, channel: string, event: Json): Promise<void> {
  const deleted = stringField(event, 'deleted_ts') ?? stringField(asRecord(event.previous_message), 'ts');
  if (!isSlackTs(deleted)) {
    ctx.log.warn({ channel }, 'skipped a malformed message_deleted event');
    return;
  }
  const when = stringField(event, 'event_ts') ?? stringField(event, 'ts');
  await ctx.desk.messageDeleted('slack', channel, deleted, isSlackTs(when) ? tsToMs(when) : ctx.desk.now());
}

/** :ticket: on a message in a bound channel: a staff member opens a ticket on it. */
async function handleReaction(ctx: SlackContext, raw: unknown): Promise<void> {
  const event = asRecord(raw);
  if (stringField(event, 'reaction') !== TICKET_REACTION) return;
  const item = asRecord(event?.item);
  const channel = stringField(item, 'channel');
  const ts = stringField(item, 'ts');
  const userId = stringField(event, 'user');
  if (stringField(item, 'type') !== 'message' || !channel || !isSlackTs(ts) || !userId) {
    ctx.log.warn({ event: 'reaction_added' }, 'skipped a malformed reaction event');
    return;
  }
  if (!isBound(ctx, channel)) return;
  const opener = await personAuthor(ctx.facts, userId);
  // Anyone may add :ticket:; only staff open tickets with it, so spare the lookup for everyone else.
  if (!isStaff(ctx.desk.config, 'slack', opener)) {
    ctx.log.debug({ channel, user: userId }, ':ticket: reaction from someone who is not staff; ignored');
    return;
  }
  await openOn(ctx, channel, ts, opener, async () => fetchMessage(ctx, channel, ts));
}

/**
 * Opens a ticket on the message `ts` for a staff member (reaction or shortcut);
 * returns what to tell them.
 */
export async function openOn(ctx: SlackContext, channel: string, ts: string, opener: Author, load: () => Promise<Json | undefined>): Promise<string> {
  const voice = askerVoice(ctx.desk.config, 'slack', opener);
  let message: Json | undefined;
  try {
    message = await load();
  } catch (err) {
    ctx.log.warn({ channel, ts, err: describe(err) }, 'could not read the message to open a ticket on');
    return voice.t('openFrom.cannotRead');
  }
  if (!message) return voice.t('openFrom.notFound');
  if (isBotMessage(message, ctx.facts)) return voice.t('openFrom.botMessage');
  const incoming = await toIncoming(channel, message, ctx.facts);
  if (!incoming) return voice.t('openFrom.unreadable');
  const result = await ctx.desk.openFromMessage(incoming, opener);
  ctx.log.info({ channel, ts, ticket: result.ticket?.id }, result.reply.text);
  return result.reply.text;
}
