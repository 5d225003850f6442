/**
 * Feishu/Lark events → the desk. The same handlers serve the long connection
 * and the webhook (both go through the SDK's EventDispatcher):
 *
 * - im.message.receive_v1: a message in a group (or a direct message to the
 *   bot). One that mentions the bot with a command's words (`@slawatch status
 *   42`), or any direct message, is a command; anything else goes to the
 *   desk, which decides what opens or joins a ticket.
 * - im.message.recalled_v1: a recall, as a deletion.
 * - card.action.trigger: a button or the severity menu on a staff card.
 * - im.chat.member.bot.added_v1: logged with the chat's id, to bind it.
 *
 * Feishu wants an answer within 3 seconds, else it delivers the event again:
 * each handler waits for its work at most ACK_BUDGET_MS and lets the rest
 * finish in the background (../common/background.ts); a store that cannot
 * take the event makes the answer a failure, so Feishu delivers it again.
 * A redelivery (the same event id) gets the first delivery's answer, and a
 * message the desk has seen is recognised by its id, so nothing happens twice.
 */
import type { Author } from '../../src/domain/people.js';
import { describe } from '../../src/service/logger.js';
import { parseCommand, type ChosenAction, type CommandResult } from '../../src/service/commands.js';
import { isRetryable, type ActionResult } from '../../src/service/desk-port.js';
import { customerForChannel } from '../../src/service/context.js';
import type { Logger } from '../../src/service/logger.js';
import type { Card } from '../../src/service/messages.js';
import { askerVoice } from '../../src/service/readers.js';
import { voiceIn } from '../../src/i18n/index.js';
import type { Background } from '../common/background.js';
import type { CursorBook } from '../common/cursors.js';
import type { KeyedSerial } from '../common/serial.js';
import { runTicketAction, type LarkDesk } from './desk.js';
import { authorOf, fromEvent, readMessage, toIncoming, type BotIdentity, type WireMessage } from './inbound.js';
import type { LarkPort } from './port.js';
import { parseActionValue, renderCards, renderReply, type LarkCard } from './render.js';
import { neutralize, positionOf, truncate } from './text.js';
import type { Threads } from './threads.js';

/** Answer budget: Feishu's 3 s minus room for the answer to travel. */
export const ACK_BUDGET_MS = 2_000;
const EVENTS_REMEMBERED = 10_000;

export interface LarkContext {
  desk: LarkDesk;
  port: LarkPort;
  log: Logger;
  cursors: CursorBook;
  /** One lane per chat: a message is recorded before its recall, and catching up never races a live event. */
  serial: KeyedSerial;
  background: Background;
  threads: Threads;
  identity: () => BotIdentity | undefined;
}

type Json = Record<string, unknown>;
const record = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

/** The answers to events already delivered, by event id: a redelivery gets the same answer, and nothing runs twice. */
export class EventOnce {
  private readonly answers = new Map<string, Promise<unknown>>();

  run<T>(eventId: string | undefined, answer: () => Promise<T>): Promise<T> {
    if (!eventId) return answer();
    const earlier = this.answers.get(eventId);
    if (earlier) return earlier as Promise<T>;
    const running = answer();
    if (this.answers.size >= EVENTS_REMEMBERED) this.answers.delete(this.answers.keys().next().value as string);
    this.answers.set(eventId, running);
    // A delivery that was refused is forgotten: its redelivery runs again.
    running.catch(() => {
      if (this.answers.get(eventId) === running) this.answers.delete(eventId);
    });
    return running;
  }
}

/** The handlers to register on the EventDispatcher. */
export function eventHandlers(ctx: LarkContext): Record<string, (data: unknown) => Promise<unknown>> {
  const once = new EventOnce();
  const hints = new InstallHints(ctx);
  const answered = <T>(data: unknown, answer: () => Promise<T>) => {
    hints.tenant(data);
    return once.run(text(record(data)?.event_id) ?? text(record(data)?.uuid), answer);
  };
  const within = async (work: Promise<unknown>): Promise<undefined> => {
    await ctx.background.within(work, ACK_BUDGET_MS, isRetryable);
    return undefined;
  };
  return {
    'im.message.receive_v1': (data) => answered(data, () => within(onMessage(ctx, data, hints))),
    'im.message.recalled_v1': (data) => answered(data, () => within(onRecall(ctx, data))),
    'card.action.trigger': (data) => answered(data, () => onCardAction(ctx, data)),
    'im.chat.member.bot.added_v1': async (data) => {
      const event = record(data);
      ctx.log.info({ chat: text(event?.chat_id), name: text(event?.name) }, 'lark: added to a group; bind it to a customer (customers[].channels.lark) or make it the staff group (staff.channels.lark)');
      return undefined;
    },
  };
}

const isBound = (ctx: LarkContext, chatId: string) => customerForChannel(ctx.desk.config, 'lark', chatId) !== undefined;

/** The ids an installation needs, said once each in the log: this organisation's tenant key, the groups nobody is bound to. */
class InstallHints {
  private tenantSaid = false;
  private readonly unbound = new Set<string>();

  constructor(private readonly ctx: LarkContext) {}

  /** Every event's header names the tenant the app is installed in: the staff's own. */
  tenant(data: unknown): void {
    const key = text(record(data)?.tenant_key);
    if (this.tenantSaid || !key) return;
    this.tenantSaid = true;
    if (!this.ctx.desk.config.staff.larkTenant) this.ctx.log.info({ tenant: key }, 'lark: events come from this tenant; set staff.larkTenant to it to count every member of your organisation as staff');
  }

  /** A group that is neither a customer's nor the staff group. */
  group(chatId: string, chatType: string | undefined): void {
    if (chatType === 'p2p' || this.unbound.has(chatId) || this.unbound.size >= 1_000 || chatId === this.ctx.desk.config.staff.channels.lark) return;
    this.unbound.add(chatId);
    this.ctx.log.info({ chat: chatId }, 'lark: a message in a group no customer is bound to (customers[].channels.lark)');
  }
}

/**
 * A command to the bot: every direct message; in a group, a mention of the
 * bot followed by a command's words — or by anything, outside a customer's
 * group (where a mention may just be part of a question).
 */
export function isCommand(wire: Pick<WireMessage, 'chatType'>, words: string, mentionedBot: boolean, bound: boolean): boolean {
  if (wire.chatType === 'p2p') return true;
  if (!mentionedBot) return false;
  return !bound || !('error' in parseCommand(words));
}

async function onMessage(ctx: LarkContext, data: unknown, hints: InstallHints): Promise<void> {
  const event = fromEvent(data);
  if (!event) {
    ctx.log.warn({ event: 'im.message.receive_v1' }, 'lark: skipped a malformed message event');
    return;
  }
  // A reply that names only its thread belongs to the thread's first message.
  const root = event.rootId ?? (event.threadId ? ctx.threads.rootOf(event.threadId) : undefined);
  const wire = root && root !== event.messageId ? { ...event, rootId: root } : event;
  ctx.threads.note(wire);
  if (!wire.sender.isPerson) return;
  const bound = isBound(ctx, wire.chatId);
  if (!bound) hints.group(wire.chatId, wire.chatType);
  await ctx.serial.run(wire.chatId, async () => {
    const read = await readMessage(wire, ctx.identity());
    if (isCommand(wire, read.text, read.mentionedBot, bound)) {
      await command(ctx, wire, read.text, bound);
    } else {
      await ctx.desk.receiveMessage(toIncoming(wire, read.text));
    }
    if (bound) await ctx.cursors.advance(wire.chatId, positionOf(wire.createTime, wire.messageId));
  });
}

/** Runs a command from a message and answers it: privately where the desk says so (and in a customer's group), else as a reply. */
async function command(ctx: LarkContext, wire: WireMessage, words: string, bound: boolean): Promise<void> {
  const author = authorOf(wire);
  const result = await ctx.desk.runCommand({ platform: 'lark', channelId: wire.chatId, ...(wire.rootId ? { threadId: wire.rootId } : {}), author, text: words });
  const parsed = parseCommand(words);
  const isHelp = !('error' in parsed) && parsed.name === 'help';
  const usage = voiceIn(result.reply.locale).t('reply.usage', { command: `@${ctx.identity()?.name ?? 'slawatch'}` });
  const reply = isHelp ? { ...result.reply, text: `${usage}\n${result.reply.text}` } : result.reply;
  const card = renderReply(reply, { config: ctx.desk.config, withActions: true });
  if (wire.chatType === 'p2p') {
    await ctx.port.reply(wire.chatId, wire.messageId, card, false);
    return;
  }
  if (reply.ephemeral || bound) {
    await privately(ctx, wire.chatId, author, card);
    return;
  }
  await ctx.port.reply(wire.chatId, wire.messageId, card, wire.threadId !== undefined);
}

/** A card only `author` sees: ephemeral in the chat, else a direct message. */
async function privately(ctx: LarkContext, chatId: string, author: Author, card: LarkCard): Promise<void> {
  try {
    await ctx.port.ephemeral(chatId, author.userId, card);
  } catch (err) {
    ctx.log.warn({ chat: chatId, err: describe(err) }, 'lark: could not answer with an ephemeral card; answering in a direct message');
    await ctx.port.create('open_id', author.userId, card);
  }
}

async function onRecall(ctx: LarkContext, data: unknown): Promise<void> {
  const event = record(data);
  const messageId = text(event?.message_id);
  const chatId = text(event?.chat_id);
  if (!messageId || !chatId) {
    ctx.log.warn({ event: 'im.message.recalled_v1' }, 'lark: skipped a malformed recall event');
    return;
  }
  if (!isBound(ctx, chatId)) return;
  const at = Number(event?.recall_time);
  await ctx.serial.run(chatId, () => ctx.desk.messageDeleted('lark', chatId, messageId, Number.isFinite(at) && at > 0 ? at : ctx.desk.now()));
}

interface CardClick {
  action: ChosenAction;
  chatId: string;
  messageId?: string;
  author: Author;
}

/**
 * What card.action.trigger says: the operator, where the card is, and which
 * of our buttons. The ids sit in `operator` and `context`; older callbacks
 * carried them at the top level.
 */
function clickOf(data: unknown, staffGroup: string | undefined): CardClick | undefined {
  const event = record(data);
  const operator = record(event?.operator);
  const context = record(event?.context);
  const action = record(event?.action);
  const parsed = parseActionValue(action?.value, action?.option);
  const openId = text(operator?.open_id) ?? text(event?.open_id);
  // The chat decides which tickets a customer may see; without one the click counts as made in the staff group.
  const chatId = text(context?.open_chat_id) ?? text(event?.open_chat_id) ?? staffGroup;
  if (!parsed || !openId || !chatId) return undefined;
  const messageId = text(context?.open_message_id) ?? text(event?.open_message_id);
  // Only the operator's own: the event's top-level tenant_key is the app's (the header's), not the person's.
  const tenant = text(operator?.tenant_key);
  return { action: parsed, chatId, ...(messageId ? { messageId } : {}), author: { userId: openId, ...(tenant ? { team: tenant } : {}) } };
}

/** The callback's answer: a toast for the person, and the card's new look. */
interface CardAnswer {
  toast: { type: 'success' | 'info' | 'warning' | 'error'; content: string };
  card?: { type: 'raw'; data: LarkCard };
}

const toast = (type: CardAnswer['toast']['type'], content: string): CardAnswer => ({ toast: { type, content: neutralize(truncate(content, 200)) } });

/**
 * A button: the desk runs it (and authorises it). Done in time, the answer
 * carries the updated card and a toast; a refusal is a toast, which only
 * the person who clicked sees. The card is also patched, so the update does
 * not depend on the answer arriving (and is made when the work finished late).
 */
async function onCardAction(ctx: LarkContext, data: unknown): Promise<CardAnswer | Record<string, never>> {
  const click = clickOf(data, ctx.desk.config.staff.channels.lark);
  if (!click) {
    ctx.log.debug({ event: 'card.action.trigger' }, 'lark: a card callback that is not one of the ticket buttons');
    return {};
  }
  // What the adapter says itself (a toast) is in the clicker's language too.
  const voice = askerVoice(ctx.desk.config, 'lark', click.author, click.chatId);
  const work = (async () => {
    const result = await runTicketAction(ctx.desk, { action: click.action, channelId: click.chatId, author: click.author });
    return { result, card: updatedCard(ctx, click, result) };
  })();
  const timed = await ctx.background.within(work, ACK_BUDGET_MS, isRetryable);
  // Handed to the background, which tests and shutdown wait for.
  const later = (task: Promise<unknown>) => void ctx.background.within(task, 0);
  const patch = (done: { result: CommandResult; card: { card: LarkCard; cards: Card[] } | undefined } | undefined) => {
    if (!done?.card || !click.messageId) return;
    later(ctx.port.patch(click.chatId, click.messageId, done.card.card, done.card.cards).catch((err: unknown) => ctx.log.warn({ chat: click.chatId, err: describe(err) }, 'lark: could not update the card after a button')));
  };
  if (!timed.inTime) {
    later(
      timed.later.then(async (done) => {
        patch(done);
        if (done && !done.card) await privately(ctx, click.chatId, click.author, renderReply(done.result.reply, { config: ctx.desk.config, withActions: false }));
      }),
    );
    return toast('info', voice.t('reply.workingOnIt'));
  }
  const done = timed.value;
  if (!done) return toast('error', voice.t('lark.failed'));
  patch(done);
  // A rating is answered to the customer alone: a toast, the prompt left as it is.
  if (!done.card) return toast(click.action.action === 'rate' && done.result.applied ? 'success' : 'warning', done.result.reply.text);
  return { ...toast('success', done.result.reply.text), card: { type: 'raw', data: done.card.card } };
}

/**
 * The card after a change that went through: the ticket's new status — in
 * place of its own part when the message carried several tickets (pings
 * already sent are not repeated). Undefined for a refusal.
 */
function updatedCard(ctx: LarkContext, click: CardClick, result: ActionResult): { card: LarkCard; cards: Card[] } | undefined {
  const status = result.reply.cards?.[0];
  if (!result.applied || result.reply.ephemeral || !status) return undefined;
  const options = { config: ctx.desk.config, withActions: true };
  const posted = click.messageId ? ctx.port.cardsOf(click.messageId) : undefined;
  if (posted && posted.length > 1) {
    const cards = posted.map(({ mentions: _pinged, ...card }) => (card.actions?.ticketId === click.action.ticket ? status : card));
    return { card: renderCards(cards, options), cards };
  }
  return { card: renderReply(result.reply, options), cards: [status] };
}
