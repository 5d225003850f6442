/**
 * The application commands: `/sla <subcommand>` with the same subcommands as
 * everywhere (status, queue, claim, severity, wait, resolve, reopen, close,
 * rate, oncall, incident, maintenance, help), and a message command "Open ticket" for staff. The options
 * Discord collected are turned back into the words the core parses, so the
 * rules (who may do what, which ticket is meant) stay in one place. Names and
 * descriptions come from the message catalogues: a Discord client set to
 * Chinese shows `/sla 认领`; the interaction still carries `claim`.
 */
import {
  ApplicationCommandOptionType,
  ApplicationCommandType,
  InteractionContextType,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandSubcommandOption,
  type CommandInteractionOptionResolver,
  type RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import { SEVERITIES } from '../../src/config/schema.js';
import { DEFAULT_LOCALE, LOCALES, voiceIn, type MessageKey, type MessageValues } from '../../src/i18n/index.js';
import { severityName } from '../../src/service/cards.js';
import { COMMAND_NAMES, commandWord, type CommandName } from '../../src/service/commands.js';

export const SLA_COMMAND_NAME = 'sla';
export const OPEN_TICKET_COMMAND_NAME = 'Open ticket';

/** The locales Discord shows names and descriptions in (its own list of codes). */
const DISCORD_LOCALES = ['id', 'da', 'de', 'en-GB', 'en-US', 'es-ES', 'es-419', 'fr', 'hr', 'it', 'lt', 'hu', 'nl', 'no', 'pl', 'pt-BR', 'ro', 'fi', 'sv-SE', 'vi', 'tr', 'cs', 'el', 'bg', 'ru', 'uk', 'hi', 'th', 'zh-CN', 'ja', 'zh-TW', 'ko'] as const;

/** Each of our catalogues but English (the commands' default) → the Discord locale that shows it. */
const SHOWN_IN: [string, string][] = LOCALES.filter((l) => l !== DEFAULT_LOCALE).flatMap((locale) => {
  const exact = DISCORD_LOCALES.find((d) => d.toLowerCase() === locale.toLowerCase());
  const language = DISCORD_LOCALES.find((d) => d.split('-')[0] === locale.split('-')[0]);
  const discord = exact ?? language;
  return discord ? [[locale, discord] as [string, string]] : [];
});

/** A name as Discord accepts it: lower case, letters, digits, "-" and "_", at most 32. */
const VALID_NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u;

/** The English text and its translations, for `description` / `description_localizations`. */
function described(key: MessageKey, values?: MessageValues): { description: string; description_localizations: Record<string, string> } {
  const localizations = Object.fromEntries(SHOWN_IN.map(([locale, discord]) => [discord, voiceIn(locale).t(key, values).slice(0, 100)]));
  return { description: voiceIn(DEFAULT_LOCALE).t(key, values).slice(0, 100), description_localizations: localizations };
}

/** What a name is called in each language Discord shows (the canonical name stays what the interaction carries). */
function named(nameIn: (locale: string) => string): Record<string, string> {
  return Object.fromEntries(SHOWN_IN.map(([locale, discord]) => [discord, nameIn(locale).toLowerCase()]).filter(([, name]) => VALID_NAME.test(name as string)));
}

const ticketOption: APIApplicationCommandBasicOption = {
  type: ApplicationCommandOptionType.Integer,
  name: 'ticket',
  name_localizations: named((locale) => voiceIn(locale).t('discord.optionName', { option: 'ticket' })),
  ...described('discord.option', { option: 'ticket' }),
  required: false,
  min_value: 1,
};

function textOption(option: 'schedule' | 'incident' | 'maintenance', required: boolean): APIApplicationCommandBasicOption {
  const name = option === 'schedule' ? 'schedule' : 'text';
  return {
    type: ApplicationCommandOptionType.String,
    name,
    name_localizations: named((locale) => voiceIn(locale).t('discord.optionName', { option: name })),
    ...described('discord.option', { option }),
    required,
  };
}

function subcommand(name: CommandName, options: APIApplicationCommandBasicOption[] = []): APIApplicationCommandSubcommandOption {
  return {
    type: ApplicationCommandOptionType.Subcommand,
    name,
    name_localizations: named((locale) => commandWord(voiceIn(locale), name)),
    ...described('discord.subcommand', { command: name }),
    options,
  };
}

const OPTIONS: Record<CommandName, APIApplicationCommandBasicOption[]> = {
  status: [ticketOption],
  queue: [],
  claim: [ticketOption],
  severity: [
    {
      type: ApplicationCommandOptionType.String,
      name: 'level',
      name_localizations: named((locale) => voiceIn(locale).t('discord.optionName', { option: 'level' })),
      ...described('discord.option', { option: 'level' }),
      required: true,
      choices: SEVERITIES.map((s) => ({ name: s, name_localizations: Object.fromEntries(SHOWN_IN.map(([locale, discord]) => [discord, severityName(voiceIn(locale), s)])), value: s })),
    },
    ticketOption,
  ],
  wait: [ticketOption],
  resolve: [ticketOption],
  reopen: [ticketOption],
  close: [ticketOption],
  rate: [
    {
      type: ApplicationCommandOptionType.Integer,
      name: 'rating',
      name_localizations: named((locale) => voiceIn(locale).t('discord.optionName', { option: 'rating' })),
      ...described('discord.option', { option: 'rating' }),
      required: true,
      min_value: 1,
      max_value: 5,
    },
    {
      type: ApplicationCommandOptionType.String,
      name: 'comment',
      name_localizations: named((locale) => voiceIn(locale).t('discord.optionName', { option: 'comment' })),
      ...described('discord.option', { option: 'comment' }),
      required: false,
    },
    ticketOption,
  ],
  oncall: [textOption('schedule', false)],
  incident: [textOption('incident', true)],
  maintenance: [textOption('maintenance', true)],
  help: [],
};

export const SLA_COMMAND: RESTPostAPIApplicationCommandsJSONBody = {
  type: ApplicationCommandType.ChatInput,
  name: SLA_COMMAND_NAME,
  ...described('discord.command'),
  contexts: [InteractionContextType.Guild],
  options: COMMAND_NAMES.map((name) => subcommand(name, OPTIONS[name])),
};

export const OPEN_TICKET_COMMAND: RESTPostAPIApplicationCommandsJSONBody = {
  type: ApplicationCommandType.Message,
  name: OPEN_TICKET_COMMAND_NAME,
  name_localizations: Object.fromEntries(SHOWN_IN.map(([locale, discord]) => [discord, voiceIn(locale).t('discord.openTicket').slice(0, 32)])),
  contexts: [InteractionContextType.Guild],
};

/** What `npm run discord:deploy` registers. */
export const COMMAND_DEFINITIONS: RESTPostAPIApplicationCommandsJSONBody[] = [SLA_COMMAND, OPEN_TICKET_COMMAND];

type SlaOptions = Pick<CommandInteractionOptionResolver, 'getSubcommand' | 'getInteger' | 'getString'>;

/** `/sla severity level:urgent ticket:42` → `severity urgent 42`, the words the core's parseCommand reads. */
export function commandText(options: SlaOptions): string {
  const sub = options.getSubcommand(false) ?? 'help';
  if (sub === 'rate') {
    // `rate #42 4 comment`: the ticket marked with "#", as parseCommand reads a rating.
    const ticket = options.getInteger('ticket');
    const comment = options.getString('comment');
    return ['rate', ...(ticket !== null ? [`#${ticket}`] : []), String(options.getInteger('rating') ?? ''), ...(comment ? [comment] : [])].join(' ');
  }
  const words = [sub];
  const level = options.getString('level');
  const schedule = options.getString('schedule');
  const ticket = options.getInteger('ticket');
  const text = options.getString('text');
  if (level) words.push(level);
  if (schedule) words.push(schedule);
  if (text) words.push(text);
  if (ticket !== null) words.push(String(ticket));
  return words.join(' ');
}
