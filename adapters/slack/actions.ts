/**
 * Interactivity: the ticket buttons and severity menu on staff messages, and
 * the "Open ticket" message shortcut. A button is a typed action for the
 * desk (the same checks as `/sla claim 42`); when it went through, the
 * message that carried the button is replaced by the ticket's new status —
 * unless the desk answers privately and the message is not (then the person
 * alone sees it) — otherwise the person alone sees why not.
 */
import type { App, RespondFn } from '@slack/bolt';
import { isSeverity } from '../../src/domain/vocabulary.js';
import type { ChosenAction } from '../../src/service/desk-port.js';
import { describe } from '../../src/service/logger.js';
import { ACK_BUDGET_MS, type SlackContext } from './context.js';
import { openOn } from './events.js';
import { ACTION_IDS, RATE_ACTION_ID, renderReply } from './render.js';
import { asRecord, personAuthor, stringField, type Json } from './slack-message.js';
import { escapeSlack, isSlackTs } from './text.js';

/** The message shortcut's callback id (manifest.yml). */
export const OPEN_TICKET_SHORTCUT = 'open_ticket';

const OUR_ACTIONS = `${Object.values(ACTION_IDS).join('|')}|${RATE_ACTION_ID}_[1-5]`;
const ACTION_PATTERN = new RegExp(`^(${OUR_ACTIONS})$`);

export function registerActions(app: App, ctx: SlackContext): void {
  app.action(ACTION_PATTERN, async ({ ack, body, action, respond }) => {
    await ack();
    await ctx.background.within(handleTicketAction(ctx, asRecord(body), asRecord(action), respond), ACK_BUDGET_MS);
  });
  app.shortcut({ callback_id: OPEN_TICKET_SHORTCUT, type: 'message_action' }, async ({ ack, shortcut, respond }) => {
    await ack();
    await ctx.background.within(handleOpenShortcut(ctx, asRecord(shortcut), respond), ACK_BUDGET_MS);
  });
  // Anything else interactive (a button of another app's message, an old shortcut) is acknowledged at once, not left to time out.
  app.action({ action_id: new RegExp(`^(?!(${OUR_ACTIONS})$)`) }, async ({ ack, action }) => {
    ctx.log.debug({ action: stringField(asRecord(action), 'action_id') }, 'an action this app does not handle');
    await ack();
  });
  app.shortcut({ callback_id: new RegExp(`^(?!${OPEN_TICKET_SHORTCUT}$)`) }, async ({ ack, shortcut }) => {
    ctx.log.debug({ shortcut: stringField(asRecord(shortcut), 'callback_id') }, 'a shortcut this app does not handle');
    await ack();
  });
}

/** The action a button or the severity menu stands for; undefined when the payload is not one of ours. */
export function chosenAction(action: Json | undefined): ChosenAction | undefined {
  const id = stringField(action, 'action_id');
  if (id === ACTION_IDS.severity) {
    const [ticket, severity] = (stringField(asRecord(action?.selected_option), 'value') ?? '').split(':');
    if (!ticket || !/^\d+$/.test(ticket) || !isSeverity(severity)) return undefined;
    return { action: 'severity', ticket: Number(ticket), severity };
  }
  if (id?.startsWith(`${RATE_ACTION_ID}_`)) {
    const [ticket, rating] = (stringField(action, 'value') ?? '').split(':');
    if (!ticket || !/^\d+$/.test(ticket) || !rating || !/^[1-5]$/.test(rating)) return undefined;
    return { action: 'rate', ticket: Number(ticket), rating: Number(rating) };
  }
  const ticket = stringField(action, 'value');
  if (!ticket || !/^\d+$/.test(ticket)) return undefined;
  if (id === ACTION_IDS.claim) return { action: 'claim', ticket: Number(ticket) };
  if (id === ACTION_IDS.wait) return { action: 'wait', ticket: Number(ticket) };
  if (id === ACTION_IDS.resolve) return { action: 'resolve', ticket: Number(ticket) };
  return undefined;
}

async function handleTicketAction(ctx: SlackContext, body: Json | undefined, action: Json | undefined, respond: RespondFn): Promise<void> {
  const user = asRecord(body?.user);
  const userId = stringField(user, 'id');
  const container = asRecord(body?.container);
  const channelId = stringField(asRecord(body?.channel), 'id') ?? stringField(container, 'channel_id');
  const chosen = chosenAction(action);
  if (!userId || !channelId || !chosen) {
    ctx.log.warn({ action: stringField(action, 'action_id') }, 'skipped a malformed block action');
    return;
  }
  const result = await ctx.desk.runAction({ platform: 'slack', channelId, author: await personAuthor(ctx.facts, userId, stringField(user, 'team_id')), action: chosen });
  const tell = (message: string) =>
    respond({ response_type: 'ephemeral', replace_original: false, text: escapeSlack(message) }).catch((err: unknown) =>
      ctx.log.warn({ err: describe(err) }, 'could not answer a button privately'),
    );
  const onPrivateMessage = container?.is_ephemeral === true;
  // Refused, or a private answer that must not replace a message others see.
  if (!result.applied || (result.reply.ephemeral && !onPrivateMessage)) {
    await tell(result.reply.text);
    return;
  }
  const rendered = renderReply(result.reply, { config: ctx.desk.config, withActions: true, permalinks: await ctx.port.permalinksFor(result.reply.cards ?? []) });
  const messageTs = stringField(asRecord(body?.message), 'ts') ?? stringField(container, 'message_ts');
  try {
    if (onPrivateMessage || !isSlackTs(messageTs)) await respond({ replace_original: true, text: rendered.text, blocks: rendered.blocks });
    else await ctx.port.update(channelId, messageTs, rendered);
  } catch (err) {
    ctx.log.warn({ channel: channelId, err: describe(err) }, 'could not update the message after a button; answering privately');
    await tell(result.reply.text);
  }
}

async function handleOpenShortcut(ctx: SlackContext, shortcut: Json | undefined, respond: RespondFn): Promise<void> {
  const channelId = stringField(asRecord(shortcut?.channel), 'id');
  const user = asRecord(shortcut?.user);
  const userId = stringField(user, 'id');
  const message = asRecord(shortcut?.message);
  const ts = stringField(message, 'ts') ?? stringField(shortcut, 'message_ts');
  if (!channelId || !userId || !isSlackTs(ts)) {
    ctx.log.warn({ shortcut: OPEN_TICKET_SHORTCUT }, 'skipped a malformed message shortcut');
    return;
  }
  const reply = await openOn(ctx, channelId, ts, await personAuthor(ctx.facts, userId, stringField(user, 'team_id')), async () => message);
  await respond({ response_type: 'ephemeral', replace_original: false, text: escapeSlack(reply) }).catch((err: unknown) =>
    ctx.log.warn({ err: describe(err) }, 'could not answer the shortcut'),
  );
}
