/**
 * `/sla <command>`: the core's ticket commands (src/service/commands.ts
 * parses, authorises and answers). The answer goes back in the command's
 * response: ephemeral wherever the desk marks it private (always in a
 * customer's channel, which the customer reads); state changes run in an
 * internal channel are shown to the channel.
 *
 * Slack does not let apps' slash commands run inside threads, so a command
 * names its ticket (`/sla claim 42`); a `thread_ts` in the payload is used
 * when Slack provides one.
 */
import type { App, RespondArguments } from '@slack/bolt';
import { voiceIn } from '../../src/i18n/index.js';
import { commandWord, parseCommand } from '../../src/service/commands.js';
import type { CommandResult } from '../../src/service/desk-port.js';
import { describe } from '../../src/service/logger.js';
import { askerVoice, staffVoice } from '../../src/service/readers.js';
import { ACK_BUDGET_MS, type SlackContext } from './context.js';
import { renderReply } from './render.js';
import { asRecord, personAuthor, stringField } from './slack-message.js';
import { escapeSlack, isSlackTs } from './text.js';

export const SLASH_COMMAND = '/sla';

interface Answered {
  command: CommandResult;
  permalinks: Map<string, string>;
}

export function registerCommands(app: App, ctx: SlackContext): void {
  app.command(SLASH_COMMAND, async ({ command, ack, respond }) => {
    const payload = asRecord(command);
    const channelId = stringField(payload, 'channel_id');
    const userId = stringField(payload, 'user_id');
    if (!channelId || !userId) {
      ctx.log.warn({ command: SLASH_COMMAND }, 'skipped a malformed slash command');
      await ack({ response_type: 'ephemeral', text: escapeSlack(staffVoice(ctx.desk.config).t('slack.incomplete')) });
      return;
    }
    const text = stringField(payload, 'text') ?? '';
    const threadTs = stringField(payload, 'thread_ts');
    const author = await personAuthor(ctx.facts, userId, stringField(payload, 'user_team'));
    // What this adapter says itself (a failure, "working on it") is in the asker's language too.
    const voice = askerVoice(ctx.desk.config, 'slack', author, channelId);
    const work = (async (): Promise<Answered> => {
      const command = await ctx.desk.runCommand({
        platform: 'slack',
        channelId,
        ...(isSlackTs(threadTs) ? { threadId: threadTs } : {}),
        author,
        text,
      });
      return { command, permalinks: await ctx.port.permalinksFor(command.reply.cards ?? []) };
    })().catch((err: unknown) => {
      ctx.log.error({ command: SLASH_COMMAND, err: describe(err) }, 'slash command failed');
      return undefined;
    });
    const reply = (result: Answered | undefined): RespondArguments => (result ? answer(ctx, text, result) : { response_type: 'ephemeral', text: escapeSlack(voice.t('slack.failed')) });
    // The answer must reach Slack within 3 s; a command still busy after that answers through response_url.
    const timed = await ctx.background.within(work, ACK_BUDGET_MS);
    if (timed.inTime) {
      await ack(reply(timed.value));
      return;
    }
    await ack({ response_type: 'ephemeral', text: escapeSlack(voice.t('reply.workingOnIt')) });
    void timed.later.then(async (result) => {
      await respond({ ...reply(result), replace_original: true }).catch((err: unknown) => ctx.log.warn({ err: describe(err) }, 'could not deliver a late command answer'));
    });
  });
  // Another command pointed at this app (a renamed or stale one in the app settings): answer at once instead of timing out.
  app.command(new RegExp(`^(?!${SLASH_COMMAND}$)`), async ({ ack, command }) => {
    ctx.log.warn({ command: stringField(asRecord(command), 'command') }, 'a slash command this app does not know');
    const voice = staffVoice(ctx.desk.config);
    await ack({ response_type: 'ephemeral', text: escapeSlack(voice.t('slack.otherCommand', { command: SLASH_COMMAND, help: `${SLASH_COMMAND} ${commandWord(voice, 'help')}` })) });
  });
}

function answer(ctx: SlackContext, text: string, { command: result, permalinks }: Answered): RespondArguments {
  const parsed = parseCommand(text);
  const isHelp = !('error' in parsed) && parsed.name === 'help';
  const usage = voiceIn(result.reply.locale).t('reply.usage', { command: SLASH_COMMAND });
  const reply = isHelp ? { ...result.reply, text: `${usage}\n${result.reply.text}` } : result.reply;
  const rendered = renderReply(reply, { config: ctx.desk.config, withActions: true, permalinks, code: isHelp || /\n/.test(reply.text) });
  return { response_type: reply.ephemeral ? 'ephemeral' : 'in_channel', text: rendered.text, blocks: rendered.blocks };
}
