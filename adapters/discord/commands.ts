/**
 * The application commands: `/sla <subcommand>` with the same subcommands as
 * everywhere (status, queue, claim, severity, wait, resolve, reopen, close,
 * oncall, incident, maintenance, help), and a message command "Open ticket" for staff. The options
 * Discord collected are turned back into the words the core parses, so the
 * rules (who may do what, which ticket is meant) stay in one place.
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

export const SLA_COMMAND_NAME = 'sla';
export const OPEN_TICKET_COMMAND_NAME = 'Open ticket';

const ticketOption: APIApplicationCommandBasicOption = {
  type: ApplicationCommandOptionType.Integer,
  name: 'ticket',
  description: 'Ticket number, e.g. 42 (in a ticket thread the ticket is implied)',
  required: false,
  min_value: 1,
};

function subcommand(name: string, description: string, options: APIApplicationCommandBasicOption[] = []): APIApplicationCommandSubcommandOption {
  return { type: ApplicationCommandOptionType.Subcommand, name, description, options };
}

export const SLA_COMMAND: RESTPostAPIApplicationCommandsJSONBody = {
  type: ApplicationCommandType.ChatInput,
  name: SLA_COMMAND_NAME,
  description: 'Support tickets: status, queue, claim, severity, wait, resolve, on call',
  contexts: [InteractionContextType.Guild],
  options: [
    subcommand('status', "A ticket's clocks, due times and assignee", [ticketOption]),
    subcommand('queue', 'Open tickets, most urgent first'),
    subcommand('claim', 'Take the ticket (staff)', [ticketOption]),
    subcommand('severity', "Change the ticket's severity (staff)", [
      {
        type: ApplicationCommandOptionType.String,
        name: 'level',
        description: 'urgent, high, normal or low',
        required: true,
        choices: SEVERITIES.map((s) => ({ name: s, value: s })),
      },
      ticketOption,
    ]),
    subcommand('wait', 'Waiting on the customer: pauses the clocks (staff)', [ticketOption]),
    subcommand('resolve', 'Resolve the ticket (staff)', [ticketOption]),
    subcommand('reopen', 'Reopen a resolved ticket (staff)', [ticketOption]),
    subcommand('close', 'Close the ticket for good (staff)', [ticketOption]),
    subcommand('oncall', 'Who is on call now and next', [
      { type: ApplicationCommandOptionType.String, name: 'schedule', description: 'A schedule id from the config (all when left out)', required: false },
    ]),
    subcommand('incident', 'Incidents: open, update, resolve, list (staff)', [
      { type: ApplicationCommandOptionType.String, name: 'text', description: 'open <title> [region eu] [degraded] · update <id> <text> · resolve <id> · list', required: true },
    ]),
    subcommand('maintenance', 'Announce a maintenance window to the affected customers (staff)', [
      { type: ApplicationCommandOptionType.String, name: 'text', description: '<from> <to> [scope], e.g. 2026-11-05T01:00 2026-11-05T03:00 region eu', required: true },
    ]),
    subcommand('help', 'What /sla can do'),
  ],
};

export const OPEN_TICKET_COMMAND: RESTPostAPIApplicationCommandsJSONBody = {
  type: ApplicationCommandType.Message,
  name: OPEN_TICKET_COMMAND_NAME,
  contexts: [InteractionContextType.Guild],
};

/** What `npm run discord:deploy` registers. */
export const COMMAND_DEFINITIONS: RESTPostAPIApplicationCommandsJSONBody[] = [SLA_COMMAND, OPEN_TICKET_COMMAND];

type SlaOptions = Pick<CommandInteractionOptionResolver, 'getSubcommand' | 'getInteger' | 'getString'>;

/** `/sla severity level:urgent ticket:42` → `severity urgent 42`, the words the core's parseCommand reads. */
export function commandText(options: SlaOptions): string {
  const words = [options.getSubcommand(false) ?? 'help'];
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
