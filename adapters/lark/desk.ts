/**
 * What the Feishu/Lark adapter uses of the support desk, and nothing more:
 * the adapter hands events to these methods and reads the config, the time
 * and its cursors through them.
 */
import type { Author } from '../../src/domain/people.js';
import type { ActionResult, SupportDesk } from '../../src/service/desk-port.js';
import type { ChosenAction } from '../../src/service/commands.js';
import type { PlatformHost } from '../platform.js';

export type LarkDesk = Pick<
  SupportDesk,
  'receiveMessage' | 'messageEdited' | 'messageDeleted' | 'runCommand' | 'runAction' | 'activeTickets' | 'getCursor' | 'setCursor' | 'config' | 'now'
>;

/** Where the adapter plugs in: the desk, and the outbound side it attaches. */
export type LarkHost = Omit<PlatformHost, 'desk' | 'flush'> & { desk: LarkDesk };

export interface TicketActionRequest {
  action: ChosenAction;
  /** The chat the card was clicked in. */
  channelId: string;
  author: Author;
}

/** A card button, run by the desk as the typed action it stands for. */
export function runTicketAction(desk: Pick<LarkDesk, 'runAction'>, request: TicketActionRequest): Promise<ActionResult> {
  return desk.runAction({ platform: 'lark', channelId: request.channelId, author: request.author, action: request.action });
}
