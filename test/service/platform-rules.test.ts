/**
 * The rules every platform inherits from the service: customers read their
 * channel, so answers there are private, and no staff message is ever
 * delivered there — whatever the adapter would do.
 */
import { describe, expect, it } from 'vitest';
import { App } from '../../src/app/app.js';
import { parseConfig } from '../../src/config/load.js';
import { viewTicket } from '../../src/domain/ticket.js';
import type { Card } from '../../src/service/messages.js';
import { openMemoryStore } from '../../src/store/open.js';
import { harness, RecordingPort } from '../helpers/app-harness.js';

const CONFIG = `
people:
  alice: { name: Alice }
staff:
  people: [alice]
  channels: { shell: staff }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] } }
tiers:
  enterprise:
    targets: { default: { firstResponse: 1h, resolution: 2d } }
`;

const alice = { userId: 'alice', personId: 'alice' };
const card: Card = { tone: 'danger', title: '#1 first response BREACHED', fields: [], mentions: { people: ['alice'], groups: [] } };

describe('answers in a customer channel', () => {
  it('are private, for commands run in the channel or in a ticket thread there; in the staff channel a change is the channel\'s to see', async () => {
    const h = await harness(CONFIG);
    await h.say('acme', 'dana', 'Exports fail', { messageId: 'q1' });

    const claim = await h.desk.runCommand({ platform: 'shell', channelId: 'acme', threadId: 'q1', author: alice, text: 'claim' });
    expect(claim.reply).toMatchObject({ ephemeral: true, text: 'Ticket #1 claimed by Alice.' });
    const severity = await h.desk.runCommand({ platform: 'shell', channelId: 'acme', author: alice, text: 'severity high 1' });
    expect(severity.reply).toMatchObject({ ephemeral: true, text: 'Ticket #1 severity changed to high by Alice.' });

    const resolve = await h.desk.runCommand({ platform: 'shell', channelId: 'staff', author: alice, text: 'resolve 1' });
    expect(resolve.reply).toMatchObject({ ephemeral: false, text: 'Ticket #1 resolved by Alice.' });
    // The customer hears of the resolve in the thread, as ever.
    expect(h.port.lines('acme').at(-1)).toMatch(/Ticket #1 resolved by Alice/);
  });

  it('are private for chosen actions too (a button, the severity menu), which run with the checks of their command', async () => {
    const h = await harness(CONFIG);
    await h.say('acme', 'dana', 'Exports fail', { messageId: 'q1' });

    const refused = await h.desk.runAction({ platform: 'shell', channelId: 'acme', threadId: 'q1', author: { userId: 'dana' }, action: { action: 'claim', ticket: 1 } });
    expect(refused).toMatchObject({ applied: false, reply: { ephemeral: true } });
    expect(refused.reply.text).toMatch(/only the support team can change a ticket/);

    const claimed = await h.desk.runAction({ platform: 'shell', channelId: 'acme', threadId: 'q1', author: alice, action: { action: 'claim', ticket: 1 } });
    expect(claimed).toMatchObject({ applied: true, reply: { ephemeral: true, text: 'Ticket #1 claimed by Alice.' } });
    const again = await h.desk.runAction({ platform: 'shell', channelId: 'staff', author: alice, action: { action: 'claim', ticket: 1 } });
    expect(again).toMatchObject({ applied: false, reply: { ephemeral: true, text: 'Ticket #1: you have already claimed this ticket.' } });

    const severity = await h.desk.runAction({ platform: 'shell', channelId: 'staff', author: alice, action: { action: 'severity', ticket: 1, severity: 'urgent' } });
    expect(severity).toMatchObject({ applied: true, reply: { ephemeral: false, text: 'Ticket #1 severity changed to urgent by Alice.' } });
    expect(viewTicket((await h.desk.ticket(1))!)).toMatchObject({ severity: 'urgent', assignee: { personId: 'alice' } });
  });
});

describe('delivery', () => {
  it('refuses a staff notification or an announcement addressed to a customer channel, and says so; customer-facing posts go through', async () => {
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (fields: object, message: string) => void errors.push(`${message} ${JSON.stringify(fields)}`) };
    const app = new App({ config: parseConfig(CONFIG), store: openMemoryStore(), logger });
    const port = new RecordingPort('shell');
    app.attach(port);

    await app.post([
      { type: 'post', platform: 'shell', channelId: 'acme', card },
      { type: 'post', platform: 'shell', channelId: 'staff', card },
      { type: 'thread', platform: 'shell', channelId: 'acme', threadId: 'q1', card, ticketId: 1 },
    ]);
    app.outbox.enqueue({ platform: 'shell', channelId: 'acme', card, key: '1/firstResponse:0:level1:0@acme' });
    await app.flush();

    expect(port.sent.map((s) => `${s.message.type} ${s.message.channelId}`)).toEqual(['post staff', 'thread acme']);
    expect(errors).toEqual([
      expect.stringMatching(/^refusing to post a staff message into a customer channel.*"channel":"acme"/),
      expect.stringMatching(/^refusing to post a staff message into a customer channel.*"keys":\["1\/firstResponse:0:level1:0@acme"\]/),
    ]);
    await app.stop();
  });
});
