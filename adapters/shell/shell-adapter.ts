/**
 * The shell adapter: a chat in the terminal, no tokens needed. You speak as
 * a customer in a customer's channel or as a staff member, and the bot
 * answers exactly as it would in Slack or Discord, through the same use
 * cases. It reads any stream (a TTY, a pipe, a test's PassThrough) and
 * prints each bot message on its own line.
 *
 *   /as <who>         speak as a person from the config (staff) or anyone else (a customer)
 *   /in <channel>     move to a channel: a customer's shell channel, or the staff channel
 *   /thread <ticket>  reply in a ticket's thread;  /top  back to the channel
 *   /tickets          the open tickets;  /sla <command> or /<command>  ticket commands
 *   /help, /quit
 */
import { createInterface, type Interface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { isStaff } from '../../src/domain/people.js';
import { voiceIn, type Voice } from '../../src/i18n/index.js';
import { ticketRef } from '../../src/service/cards.js';
import { commandNamed, helpText } from '../../src/service/commands.js';
import type { SupportDesk } from '../../src/service/desk-port.js';
import type { ChatPort, Outbound, Reply, SentRef } from '../../src/service/messages.js';
import { askerVoice, personVoice } from '../../src/service/readers.js';
import { cardToLine } from '../../src/service/render-text.js';

export interface ShellOptions {
  input: Readable;
  output: Writable;
  /** Show a prompt (only on a terminal). */
  prompt?: boolean;
  /** Who speaks first and where; defaults to the first customer's first channel and a customer user. */
  as?: string;
  channel?: string;
}

export class ShellAdapter implements ChatPort {
  readonly platform = 'shell' as const;
  private speaker: string;
  private channel: string;
  /** The ticket thread we are in: the platform's thread id, and the ticket for people to read. */
  private thread: { id: string; ticket: number } | undefined;
  private seq = 0;
  private rl: Interface | undefined;

  constructor(
    private readonly desk: SupportDesk,
    private readonly options: ShellOptions,
  ) {
    const firstCustomer = desk.config.customers.find((c) => c.channels.shell.length > 0);
    this.channel = options.channel ?? firstCustomer?.channels.shell[0] ?? this.staffChannel;
    this.speaker = options.as ?? 'customer';
  }

  private get staffChannel(): string {
    return this.desk.config.staff.channels.shell;
  }

  /** ChatPort: what the bot posts appears as one line, prefixed by where it was posted. */
  async send(message: Outbound): Promise<SentRef> {
    const cards = 'cards' in message ? message.cards : [message.card];
    const where = message.type === 'thread' ? `${message.channelId} › ${ticketRef(message.ticketId)}` : message.channelId;
    for (const card of cards) {
      this.print(`[${where}] slawatch: ${cardToLine(card)}`);
      // No buttons here: the rating prompt says how to answer it.
      if (card.rate) this.print(`[${where}] slawatch: ${voiceIn(card.locale).t('rating.shellHint')}`);
    }
    // One line per person pinged, in their language.
    if (message.type === 'notify') for (const person of message.dm ?? []) this.print(`[dm ${person}] slawatch: ${personVoice(this.desk.config, person).t('dm.pinged', { channel: `#${message.channelId}` })}`);
    return { platform: 'shell', channelId: message.channelId, messageId: `out-${++this.seq}` };
  }

  greet(): void {
    this.print(this.voice.t('shell.greet', { speaker: this.describeSpeaker(), channel: `#${this.channel}` }));
  }

  /** The shell's own lines are in the language of whoever speaks, where they are. */
  private get voice(): Voice {
    return askerVoice(this.desk.config, 'shell', this.author(), this.channel);
  }

  /** Reads lines until the input ends or /quit; resolves then. */
  run(): Promise<void> {
    const rl = createInterface({ input: this.options.input, terminal: false });
    this.rl = rl;
    this.showPrompt();
    return new Promise((resolve) => {
      let chain = Promise.resolve();
      rl.on('line', (line) => {
        // One line at a time, in order, even when handling one takes a while.
        chain = chain.then(() => this.handleLine(line)).catch((err: unknown) => this.print(`! ${err instanceof Error ? err.message : String(err)}`));
        void chain.then(() => this.showPrompt());
      });
      rl.on('close', () => void chain.then(() => resolve()));
    });
  }

  close(): void {
    this.rl?.close();
  }

  private showPrompt(): void {
    // Where we are, as the bot's own lines say it ([acme › #1]), and who speaks.
    if (this.options.prompt) this.options.output.write(`[${this.channel}${this.thread ? ` › ${ticketRef(this.thread.ticket)}` : ''}] ${this.speaker}> `);
  }

  private print(line: string): void {
    this.options.output.write(`${line}\n`);
  }

  private describeSpeaker(): string {
    return this.voice.t('shell.speaker', { name: this.speaker, role: this.isStaffSpeaker() ? 'staff' : 'customer' });
  }

  private isStaffSpeaker(): boolean {
    return isStaff(this.desk.config, 'shell', { userId: this.speaker, personId: this.desk.config.people[this.speaker] ? this.speaker : undefined });
  }

  private async handleLine(raw: string): Promise<void> {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    if (line.startsWith('/')) return this.handleSlash(line);
    await this.say(line);
  }

  private async handleSlash(line: string): Promise<void> {
    const [word = '', ...rest] = line.slice(1).split(/\s+/);
    const arg = rest.join(' ');
    switch (word.toLowerCase()) {
      case 'as':
        if (!arg) return this.print(`! ${this.voice.t('shell.sayWho')}`);
        this.speaker = arg;
        return this.print(this.voice.t('shell.nowAs', { speaker: this.describeSpeaker() }));
      case 'in': {
        if (!arg) return this.print(`! ${this.voice.t('shell.sayWhere')}`);
        this.channel = arg.replace(/^#/, '');
        this.thread = undefined;
        return this.print(this.voice.t('shell.nowIn', { channel: `#${this.channel}` }));
      }
      case 'thread':
        return this.enterThread(arg);
      case 'top':
        this.thread = undefined;
        return this.print(this.voice.t('shell.backIn', { channel: `#${this.channel}` }));
      case 'tickets':
      case 'queue':
        return this.command('queue');
      case 'help':
        return this.print(this.helpText());
      case 'quit':
      case 'exit':
        this.close();
        return;
      case 'sla':
        return this.command(arg);
      default:
        if (commandNamed(word)) return this.command([word, ...rest].join(' '));
        return this.print(`! ${this.voice.t('shell.unknownCommand', { command: `/${word}` })}`);
    }
  }

  private helpText(): string {
    const voice = this.voice;
    const channels = this.desk.config.customers.flatMap((c) => c.channels.shell.map((ch) => `#${ch} (${c.name})`));
    return [
      voice.t('shell.help.chat'),
      voice.t('shell.help.as'),
      voice.t('shell.help.in', { channels: channels.length ? voice.list(channels) : voice.t('shell.help.noChannels'), staff: `#${this.staffChannel}` }),
      voice.t('shell.help.thread'),
      voice.t('shell.help.tickets'),
      voice.t('shell.help.commands'),
      helpText(voice),
    ].join('\n');
  }

  private async enterThread(arg: string): Promise<void> {
    const id = Number(arg.replace(/^#/, ''));
    const ticket = Number.isInteger(id) ? await this.desk.ticket(id) : undefined;
    if (!ticket || ticket.platform !== 'shell') return this.print(`! ${this.voice.t('shell.noTicket', { ticket: arg })}`);
    this.channel = ticket.channelId;
    this.thread = { id: ticket.threadId, ticket: ticket.id };
    this.print(this.voice.t('shell.inThread', { ticket: ticketRef(ticket.id), channel: `#${this.channel}` }));
  }

  private author() {
    const personId = this.desk.config.people[this.speaker] ? this.speaker : undefined;
    return { userId: this.speaker, name: personId ? this.desk.config.people[this.speaker]?.name : this.speaker, ...(personId ? { personId } : {}) };
  }

  private async say(text: string): Promise<void> {
    const at = this.desk.now();
    const messageId = `${at.toString(36)}-${process.pid.toString(36)}-${++this.seq}`;
    const outcome = await this.desk.receiveMessage({
      platform: 'shell',
      channelId: this.channel,
      messageId,
      ...(this.thread ? { threadId: this.thread.id } : {}),
      author: this.author(),
      text,
      at,
    });
    // After opening (or joining) a ticket, the customer stays in its thread, as in a chat app.
    // A message in the thread of a closed ticket opens a new one there: the thread is the new ticket's now.
    if (outcome.kind === 'opened' && this.thread) this.thread = { id: outcome.ticket.threadId, ticket: outcome.ticket.id };
    if ((outcome.kind === 'opened' || outcome.kind === 'appended') && !this.thread) {
      this.thread = { id: outcome.ticket.threadId, ticket: outcome.ticket.id };
      this.print(this.voice.t('shell.intoThread', { ticket: ticketRef(outcome.ticket.id) }));
    }
    if (outcome.kind === 'customer_message' || outcome.kind === 'staff_reply' || outcome.kind === 'reopened') {
      this.print(this.voice.t('shell.recorded', { kind: outcome.kind, ticket: ticketRef(outcome.ticket.id) }));
    }
    if (outcome.kind === 'ignored') this.print(this.voice.t('shell.ignored', { reason: outcome.reason }));
  }

  private async command(text: string): Promise<void> {
    const result = await this.desk.runCommand({
      platform: 'shell',
      channelId: this.channel,
      ...(this.thread ? { threadId: this.thread.id } : {}),
      author: this.author(),
      text,
    });
    this.printReply(result.reply);
  }

  private printReply(reply: Reply): void {
    const prefix = reply.ephemeral ? `${this.voice.t('shell.onlyYou')} ` : '';
    if (reply.cards?.length) for (const card of reply.cards) this.print(`${prefix}slawatch: ${cardToLine(card)}`);
    else for (const line of reply.text.split('\n')) this.print(`${prefix}slawatch: ${line}`);
  }
}
