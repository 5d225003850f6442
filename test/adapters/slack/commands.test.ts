/**
 * `/sla` through the real Bolt receiver: the answer is the command's HTTP
 * response (ephemeral in a customer's channel), ticket-changing commands
 * are staff-only, and a customer sees only their own channel's tickets.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { messageEvent, type Payload } from '../../../testkit/slack-requests.js';
import { ACME, ALICE, CAROL, CUSTOMER, CUSTOMER_TEAM, GLOBEX, Harness, OTHER_CUSTOMER, STAFF_CHANNEL, noTroubleIn } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.stop();
  noTroubleIn(h);
});

async function sla(user: string, channel: string, text: string): Promise<Payload> {
  const response = await h.slack.command({ user_id: user, channel_id: channel, text, response_url: h.fake.responseUrl() });
  expect(response.status).toBe(200);
  return response.json();
}

async function openTicket(channel = ACME, text = 'The dashboard will not load') {
  const ts = h.ts();
  await h.slack.event(messageEvent({ channel, user: channel === ACME ? CUSTOMER : OTHER_CUSTOMER, user_team: CUSTOMER_TEAM, text, ts }));
  const ticket = await h.ticketOf(channel, ts);
  return { ts, id: ticket!.id };
}

const shown = (answer: Payload) => `${String(answer.text)}\n${JSON.stringify(answer.blocks ?? [])}`;

describe('/sla help and oncall', () => {
  it('help lists every subcommand, privately', async () => {
    const answer = await sla(CUSTOMER, ACME, 'help');
    expect(answer.response_type).toBe('ephemeral');
    for (const word of ['status', 'queue', 'claim', 'severity', 'wait', 'resolve', 'reopen', 'oncall', 'help']) expect(shown(answer)).toContain(word);
  });

  it('an empty /sla is help; an unknown word is explained', async () => {
    expect(shown(await sla(ALICE, STAFF_CHANNEL, ''))).toContain('queue');
    expect(shown(await sla(ALICE, STAFF_CHANNEL, 'frobnicate'))).toMatch(/unknown command "frobnicate"/);
  });

  it('another command routed to this app is answered at once', async () => {
    const response = await h.slack.command({ user_id: ALICE, channel_id: STAFF_CHANNEL, text: '94070', command: '/weather', response_url: h.fake.responseUrl() });
    expect(response.status).toBe(200);
    expect(response.json().text).toMatch(/slawatch answers \/sla/);
  });

  it('oncall names who is on call', async () => {
    const answer = await sla(ALICE, STAFF_CHANNEL, 'oncall primary');
    expect(shown(answer)).toMatch(/primary: Alice/);
  });
});

describe('/sla status', () => {
  it('staff see any ticket with its clocks; the status card offers the buttons', async () => {
    const { id } = await openTicket();
    const answer = await sla(ALICE, STAFF_CHANNEL, `status ${id}`);
    expect(shown(answer)).toMatch(new RegExp(`Ticket #${id} — Acme Corp`));
    expect(shown(answer)).toMatch(/first response: due/);
    expect(shown(answer)).toContain('slawatch_claim');
  });

  it('a customer sees their own channel\'s ticket, privately and without buttons, and not another customer\'s', async () => {
    const acme = await openTicket(ACME);
    const globex = await openTicket(GLOBEX, 'Invoices are wrong');

    const own = await sla(CUSTOMER, ACME, `status ${acme.id}`);
    expect(own.response_type).toBe('ephemeral');
    expect(shown(own)).toMatch(new RegExp(`Ticket #${acme.id}`));
    expect(shown(own)).not.toContain('slawatch_claim');

    const other = await sla(CUSTOMER, ACME, `status #${globex.id}`);
    expect(shown(other)).toMatch(new RegExp(`There is no ticket #${globex.id} here`));
    expect(shown(other)).not.toContain('Invoices are wrong');
  });

  it('without a ticket id outside a thread, says how to name one', async () => {
    expect(shown(await sla(ALICE, STAFF_CHANNEL, 'status'))).toMatch(/name the ticket/);
  });
});

describe('/sla queue', () => {
  it('staff see every open ticket; a customer only their channel\'s', async () => {
    await openTicket(ACME, 'Acme problem');
    await openTicket(GLOBEX, 'Globex problem');
    const staff = shown(await sla(ALICE, STAFF_CHANNEL, 'queue'));
    expect(staff).toMatch(/Open tickets \(2\)/);
    expect(staff).toMatch(/Acme Corp/);
    expect(staff).toMatch(/Globex/);

    const customer = await sla(OTHER_CUSTOMER, GLOBEX, 'queue');
    expect(customer.response_type).toBe('ephemeral');
    expect(shown(customer)).toMatch(/Open tickets \(1\)/);
    expect(shown(customer)).not.toMatch(/Acme/);
  });
});

describe('ticket-changing subcommands', () => {
  it('a customer gets a polite refusal and the ticket does not change', async () => {
    const { id, ts } = await openTicket();
    for (const text of [`claim ${id}`, `resolve ${id}`, `severity urgent ${id}`, `wait ${id}`]) {
      const answer = await sla(CUSTOMER, ACME, text);
      expect(answer.response_type).toBe('ephemeral');
      expect(shown(answer)).toMatch(/only the support team can change a ticket/);
    }
    const view = viewTicket((await h.ticketOf(ACME, ts))!);
    expect(view.state).toBe('open');
    expect(view.assignee).toBeUndefined();
  });

  it('staff claim in the staff channel: the answer is shown to the channel; claims are not posted to the customer', async () => {
    const { id, ts } = await openTicket();
    const answer = await sla(ALICE, STAFF_CHANNEL, `claim ${id}`);
    expect(answer.response_type).toBe('in_channel');
    expect(shown(answer)).toMatch(new RegExp(`Ticket #${id} claimed by Alice`));
    expect(viewTicket((await h.ticketOf(ACME, ts))!).assignee?.personId).toBe('alice');
    expect(h.fake.channel(ACME).thread(ts).messages()).toHaveLength(1); // only the acknowledgement
  });

  it('staff acting from the customer\'s channel get a private answer', async () => {
    const { id } = await openTicket();
    const answer = await sla(CAROL, ACME, `severity high ${id}`);
    expect(answer.response_type).toBe('ephemeral');
    expect(shown(answer)).toMatch(/severity changed to high by U0CAROL/);
  });

  it('wait, resolve and reopen tell the customer in the ticket thread', async () => {
    const { id, ts } = await openTicket();
    await sla(ALICE, STAFF_CHANNEL, `wait ${id}`);
    await h.fake.channel(ACME).thread(ts).expectMessage(/is waiting on your reply/);
    await sla(ALICE, STAFF_CHANNEL, `resolve ${id}`);
    await h.fake.channel(ACME).thread(ts).expectMessage(/resolved by Alice/);
    expect(viewTicket((await h.ticketOf(ACME, ts))!).state).toBe('resolved');
    await sla(ALICE, STAFF_CHANNEL, `reopen ${id}`);
    await h.fake.channel(ACME).thread(ts).expectMessage(/reopened by Alice/);
    expect(viewTicket((await h.ticketOf(ACME, ts))!).state).toBe('open');
  });

  it('a refused transition is explained privately', async () => {
    const { id } = await openTicket();
    const answer = await sla(ALICE, STAFF_CHANNEL, `reopen ${id}`);
    expect(answer.response_type).toBe('ephemeral');
    expect(shown(answer)).toMatch(/only a resolved ticket can be reopened/);
  });
});
