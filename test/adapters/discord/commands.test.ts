/**
 * /sla, the ticket buttons, the severity select and "Open ticket": answered
 * within Discord's 3 seconds, staff-only where they change a ticket, and a
 * customer sees only their own channel's tickets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { openMemoryStore } from '../../../src/store/open.js';
import type { TicketStore } from '../../../src/store/ports.js';
import { customIds, messageText, type FakeMessage, type InteractionRecord, type Json } from '../../helpers/fake-discord.js';
import { ackIn, IDS, startHarness, type Harness } from './harness.js';

const EPHEMERAL = 1 << 6;
const REPLY = 4;
const DEFERRED_REPLY = 5;
const DEFERRED_UPDATE = 6;

/** The answer a person sees: the callback's message, or the deferred one once edited. */
async function answerOf(h: Harness, interaction: InteractionRecord): Promise<{ text: string; ephemeral: boolean; data: Json }> {
  const callback = await h.fake.waitFor(() => interaction.callbacks[0], 'an interaction callback');
  expect(callback.status).toBe(204);
  expect(callback.at - interaction.createdAt).toBeLessThan(3_000);
  if (callback.type === REPLY) {
    const data = callback.data ?? {};
    return { text: messageText(data), ephemeral: (Number(data.flags ?? 0) & EPHEMERAL) !== 0, data };
  }
  throw new Error(`callback type ${callback.type} is not a direct reply`);
}

/** Delays every store call that returns a promise (a store under load). */
function slowStore(store: TicketStore, ms: number): TicketStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'listActive' || property === 'listAll') return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        return result instanceof Promise ? result.then((v) => new Promise((r) => setTimeout(() => r(v), ms))) : result;
      };
    },
  });
}

/** What everyone in a channel sees: the messages that are not ephemeral. */
function publicIn(h: Harness, channelId: string): FakeMessage[] {
  return h.fake.messagesIn(channelId).filter((m) => (Number(m.flags ?? 0) & EPHEMERAL) === 0);
}

async function openTicket(h: Harness, channelId: string, who: Harness['dana'], text: string): Promise<{ opener: FakeMessage; ack: FakeMessage }> {
  const opener = h.fake.postMessage(channelId, who, text);
  const ack = await ackIn(h.fake, opener);
  await h.settle();
  return { opener, ack };
}

describe('Discord /sla', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('shows a customer the status of their ticket in its thread, privately and without the ladder', async () => {
    h = await startHarness();
    const { opener } = await openTicket(h, IDS.acme, h.dana, 'Search returns nothing');
    const answer = await answerOf(h, h.fake.slash(h.dana, opener.id, 'status'));
    expect(answer.ephemeral).toBe(true);
    expect(answer.text).toMatch(/Ticket #1 — Acme Corp/);
    expect(answer.text).toMatch(/first response: due/);
    expect(answer.text).not.toMatch(/next on the ladder/);
    expect(customIds(answer.data)).toEqual([]);
  });

  it('lets a customer see only the tickets of their own channel', async () => {
    h = await startHarness();
    await openTicket(h, IDS.acme, h.dana, 'Acme: uploads fail');
    await openTicket(h, IDS.initech, h.erin, 'Initech: cannot log in');

    const foreign = await answerOf(h, h.fake.slash(h.erin, IDS.initech, 'status', { ticket: 1 }));
    expect(foreign).toMatchObject({ ephemeral: true });
    expect(foreign.text).toMatch(/There is no ticket #1 here/);

    const queue = await answerOf(h, h.fake.slash(h.erin, IDS.initech, 'queue'));
    expect(queue.text).toMatch(/Open tickets \(1\)/);
    expect(queue.text).toMatch(/#2 {2}Initech/);
    expect(queue.text).not.toMatch(/Acme/);

    const staffQueue = await answerOf(h, h.fake.slash(h.alice, IDS.staffChannel, 'queue'));
    expect(staffQueue.text).toMatch(/Open tickets \(2\)/);
  });

  it('refuses ticket changes from a customer and leaves the ticket as it was', async () => {
    h = await startHarness();
    const { opener } = await openTicket(h, IDS.acme, h.dana, 'Emails bounce');
    for (const [sub, options] of [['claim', {}], ['resolve', {}], ['severity', { level: 'urgent' }], ['wait', {}]] as const) {
      const answer = await answerOf(h, h.fake.slash(h.dana, opener.id, sub, options));
      expect(answer.ephemeral).toBe(true);
      expect(answer.text).toMatch(/only the support team can change a ticket/);
    }
    const ticket = (await h.store.get(1))!;
    expect(ticket.events.map((e) => e.type)).toEqual(['opened']);
    // The thread still holds only the acknowledgement the bot posted.
    expect(h.fake.channel(opener.id).sent.filter((s) => s.via === 'rest')).toHaveLength(1);
  });

  it('lets staff claim, change severity and resolve from the thread; the customer hears about the resolve only', async () => {
    h = await startHarness();
    const { opener } = await openTicket(h, IDS.acme, h.dana, 'Reports are wrong');

    // In the customer's thread, staff answers are private: a claim and a severity change are internal.
    const claim = await answerOf(h, h.fake.slash(h.alice, opener.id, 'claim'));
    expect(claim.ephemeral).toBe(true);
    expect(claim.text).toMatch(/Ticket #1 claimed by Alice/);

    const severity = await answerOf(h, h.fake.slash(h.rita, opener.id, 'severity', { level: 'high' }));
    expect(severity.ephemeral).toBe(true);
    expect(severity.text).toMatch(/severity changed to high by rita/);
    expect(publicIn(h, opener.id).map((m) => messageText(m))).toEqual([expect.stringMatching(/Ticket #1 opened/)]);

    // In the staff channel the answer is the channel's to see.
    const resolve = await answerOf(h, h.fake.slash(h.alice, IDS.staffChannel, 'resolve', { ticket: 1 }));
    expect(resolve.ephemeral).toBe(false);
    expect(resolve.text).toMatch(/Ticket #1 resolved by Alice/);
    await h.fake.channel(opener.id).expectMessage(/Ticket #1 resolved by Alice/);
    expect(publicIn(h, opener.id).map((m) => messageText(m))).toEqual([expect.stringMatching(/Ticket #1 opened/), expect.stringMatching(/Ticket #1 resolved by Alice/)]);

    const view = viewTicket((await h.store.get(1))!);
    expect(view).toMatchObject({ state: 'resolved', severity: 'high', assignee: { personId: 'alice' } });
  });

  it('answers help and oncall', async () => {
    h = await startHarness();
    const help = await answerOf(h, h.fake.slash(h.dana, IDS.acme, 'help'));
    expect(help.text).toMatch(/status \[ticket\]/);
    expect(help.text.startsWith('```')).toBe(true);
    const oncall = await answerOf(h, h.fake.slash(h.dana, IDS.acme, 'oncall'));
    expect(oncall.text).toMatch(/primary: Alice/);
  });

  it('defers a slow answer and delivers it by editing, keeping it private or making it public as the core says', async () => {
    // A store that takes 60 ms per call makes every command slower than the 20 ms the adapter waits before deferring.
    h = await startHarness({ quickReplyMs: 20, store: slowStore(openMemoryStore(), 60) });
    const { opener } = await openTicket(h, IDS.acme, h.dana, 'Latency spikes');

    const status = h.fake.slash(h.dana, opener.id, 'status');
    await h.fake.waitFor(() => status.edits.length > 0, 'the deferred answer');
    expect(status.callbacks[0]).toMatchObject({ type: DEFERRED_REPLY, status: 204, data: { flags: EPHEMERAL } });
    expect(messageText(status.edits[0]!)).toMatch(/Ticket #1 — Acme Corp/);

    // In the staff channel a claim is answered publicly: the private placeholder gives way to a public follow-up.
    const claim = h.fake.slash(h.alice, IDS.staffChannel, 'claim', { ticket: 1 });
    await h.fake.waitFor(() => claim.followUps.length > 0, 'the public follow-up');
    expect(claim.callbacks[0]).toMatchObject({ type: DEFERRED_REPLY, status: 204 });
    expect(claim.originalDeleted).toBe(true);
    expect(Number(claim.followUps[0]!.body.flags ?? 0) & EPHEMERAL).toBe(0);
    expect(messageText(claim.followUps[0]!.message)).toMatch(/claimed by Alice/);
  });
});

describe('Discord ticket buttons and severity select', () => {
  let h: Harness;
  afterEach(async () => {
    await h?.stop();
  });

  it('claims from the button on the thread\'s card: acknowledged at once, the new status shown to the clicker alone, the customer\'s card left as it was', async () => {
    h = await startHarness();
    const { ack } = await openTicket(h, IDS.acme, h.dana, 'SSO broken');
    const before = messageText(ack);
    const click = h.fake.click(h.alice, ack, 'slawatch:claim:1');
    await h.fake.waitFor(() => click.followUps.length > 0, 'the private answer');
    expect(click.callbacks).toHaveLength(1);
    expect(click.callbacks[0]).toMatchObject({ type: DEFERRED_UPDATE, status: 204 });
    expect(click.callbacks[0]!.at - click.createdAt).toBeLessThan(3_000);

    const answer = click.followUps[0]!;
    expect(Number(answer.body.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(messageText(answer.message)).toMatch(/Assignee: Alice/);
    expect(messageText(answer.message)).toMatch(/State: open/);
    expect(customIds(answer.message)).toEqual(['slawatch:claim:1', 'slawatch:wait:1', 'slawatch:resolve:1', 'slawatch:severity:1']);
    expect(click.edits).toHaveLength(0);
    expect(messageText(h.fake.messagesIn(ack.channel_id).find((m) => m.id === ack.id)!)).toBe(before);
    expect(publicIn(h, ack.channel_id)).toHaveLength(1);
    expect(viewTicket((await h.store.get(1))!).assignee).toMatchObject({ personId: 'alice' });
  });

  it('changes severity from the select, privately, and resolving from that private card takes its controls away', async () => {
    h = await startHarness();
    const { ack } = await openTicket(h, IDS.acme, h.dana, 'Minor typo on the pricing page');
    const pick = h.fake.select(h.rita, ack, 'slawatch:severity:1', ['high']);
    await h.fake.waitFor(() => pick.followUps.length > 0, 'the private answer');
    let card = pick.followUps[0]!.message;
    expect(Number(card.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(messageText(card)).toMatch(/Severity: high/);
    const select = (card.components as { components: { custom_id: string; options?: { value: string; default: boolean }[] }[] }[])[1]!.components[0]!;
    expect(select.options!.filter((o) => o.default).map((o) => o.value)).toEqual(['high']);
    expect(viewTicket((await h.store.get(1))!).severity).toBe('high');

    // A private card is the clicker's own: a change made from it shows on it.
    const resolve = h.fake.click(h.rita, card, 'slawatch:resolve:1');
    await h.fake.waitFor(() => resolve.edits.length > 0, 'the card edit');
    card = h.fake.messagesIn(ack.channel_id).find((m) => m.id === card.id)!;
    expect(messageText(card)).toMatch(/State: resolved/);
    expect(customIds(card)).toEqual([]);
    // The customer hears about the resolve, in the thread.
    await h.fake.channel(ack.channel_id).expectMessage(/Ticket #1 resolved by rita/);
  });

  it('refuses a customer who clicks a staff button, privately, and leaves the card alone', async () => {
    h = await startHarness();
    const { ack } = await openTicket(h, IDS.acme, h.dana, 'Why was I charged twice?');
    const click = h.fake.click(h.dana, ack, 'slawatch:resolve:1');
    await h.fake.waitFor(() => click.followUps.length > 0, 'the refusal');
    expect(click.callbacks[0]).toMatchObject({ type: DEFERRED_UPDATE, status: 204 });
    expect(click.edits).toHaveLength(0);
    expect(Number(click.followUps[0]!.body.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(messageText(click.followUps[0]!.message)).toMatch(/only the support team/);
    expect(viewTicket((await h.store.get(1))!).state).toBe('open');
  });

  it('opens a ticket from any message with "Open ticket", for staff only', async () => {
    h = await startHarness();
    // A staff member's own top-level message opens nothing by itself.
    const note = h.fake.postMessage(IDS.acme, h.alice, 'Dana reported on a call that invoices are missing');
    const refused = h.fake.openTicketOn(h.dana, note);
    const refusal = await h.fake.waitFor(() => refused.callbacks[0], 'a refusal');
    expect(Number(refusal.data?.flags) & EPHEMERAL).toBe(EPHEMERAL);
    expect(messageText(refusal.data ?? {})).toMatch(/Only the support team can open a ticket/);

    const opened = h.fake.openTicketOn(h.rita, note);
    const answer = await h.fake.waitFor(() => opened.callbacks[0], 'an answer');
    expect(messageText(answer.data ?? {})).toMatch(/Opened ticket #1 for Acme Corp/);
    await ackIn(h.fake, note);
    expect(h.fake.threadOf(note.id)?.parent_id).toBe(IDS.acme);
  });
});
