/**
 * What the Feishu/Lark adapter uses of the support desk, and nothing more:
 * the adapter hands events to these methods and reads the config, the time
 * and its cursors through them. `hostOf` is the one place that knows today's
 * Bot; the rest of the adapter sees only these types.
 */
import type { Severity } from '../../src/config/schema.js';
import type { Author } from '../../src/domain/people.js';
import type { Platform } from '../../src/domain/ticket.js';
import type { Bot } from '../../src/service/bot.js';
import type { CommandResult } from '../../src/service/commands.js';
import type { ChatPort, TicketAction } from '../../src/service/messages.js';

export type LarkDesk = Pick<Bot, 'receiveMessage' | 'messageEdited' | 'messageDeleted' | 'runCommand' | 'activeTickets' | 'getCursor' | 'setCursor' | 'config'> & {
  /** The desk's clock (epoch ms). */
  now(): number;
};

/** Where the adapter plugs in: the desk, and the outbound side it attaches. */
export interface LarkHost {
  desk: LarkDesk;
  attach(port: ChatPort): void;
  detach(platform: Platform): void;
}

export function hostOf(bot: Bot): LarkHost {
  const desk: LarkDesk = {
    receiveMessage: (message) => bot.receiveMessage(message),
    messageEdited: (platform, channelId, messageId, text, at) => bot.messageEdited(platform, channelId, messageId, text, at),
    messageDeleted: (platform, channelId, messageId, at) => bot.messageDeleted(platform, channelId, messageId, at),
    runCommand: (request) => bot.runCommand(request),
    activeTickets: (platform) => bot.activeTickets(platform),
    getCursor: (platform, channelId) => bot.getCursor(platform, channelId),
    setCursor: (platform, channelId, position) => bot.setCursor(platform, channelId, position),
    get config() {
      return bot.config;
    },
    now: () => bot.ctx.now(),
  };
  return { desk, attach: (port) => bot.attach(port), detach: (platform) => bot.detach(platform) };
}

export interface TicketActionRequest {
  action: TicketAction;
  ticketId: number;
  severity?: Severity;
  /** The chat the card was clicked in. */
  channelId: string;
  author: Author;
}

/**
 * A card button, run by the desk. The desk takes commands as words today, so
 * the action is written as the command it stands for (`claim 42`, `severity
 * urgent 42`); when the desk takes typed actions this becomes
 * `desk.runAction({ action, ticket })`.
 */
export function runTicketAction(desk: Pick<LarkDesk, 'runCommand'>, request: TicketActionRequest): Promise<CommandResult> {
  const words = request.action === 'severity' ? `severity ${request.severity ?? ''} ${request.ticketId}` : `${request.action} ${request.ticketId}`;
  return desk.runCommand({ platform: 'lark', channelId: request.channelId, author: request.author, text: words });
}
