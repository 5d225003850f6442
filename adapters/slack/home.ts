/**
 * App Home. Staff see the queue of open tickets, most urgent first, with
 * tier, severity, time left and assignee; anyone else sees what slawatch is
 * and no ticket data.
 */
import type { App } from '@slack/bolt';
import { isStaff } from '../../src/domain/people.js';
import { voiceOf } from '../../src/i18n/index.js';
import { askerReader } from '../../src/service/readers.js';
import { ACK_BUDGET_MS, type SlackContext } from './context.js';
import { renderHome, renderHomeForCustomer } from './render.js';
import { asRecord, personAuthor, stringField } from './slack-message.js';

export function registerHome(app: App, ctx: SlackContext): void {
  app.event('app_home_opened', async ({ event }) => {
    const record = asRecord(event);
    const userId = stringField(record, 'user');
    const tab = stringField(record, 'tab') ?? 'home';
    if (!userId) {
      ctx.log.warn({ event: 'app_home_opened' }, 'skipped an app_home_opened event without a user');
      return;
    }
    if (tab !== 'home') return;
    await ctx.background.within(publishHome(ctx, userId), ACK_BUDGET_MS);
  });
}

export async function publishHome(ctx: SlackContext, userId: string): Promise<void> {
  const author = await personAuthor(ctx.facts, userId);
  const staff = isStaff(ctx.desk.config, 'slack', author);
  // In the viewer's language: their own if the config knows them, else staff's.
  const reader = askerReader(ctx.desk.config, 'slack', author);
  const view = staff
    ? renderHome(
        (await ctx.desk.queue(reader)).map((row) => ({ ticketId: row.ticket.id, line: row.line })),
        ctx.desk.now(),
        voiceOf(reader),
      )
    : renderHomeForCustomer(voiceOf(reader));
  await ctx.queues.run(`home:${userId}`, () => ctx.client.views.publish({ user_id: userId, view }));
}
