/**
 * Guests of our own workspace (single- and multi-channel guests, whom
 * users.info marks `is_restricted` / `is_ultra_restricted`) placed in a
 * customer channel post from our workspace, like staff. With staff.slackTeam
 * set they must still be customers: they see only their channel's tickets,
 * cannot change tickets, and their replies do not stop a clock. Through the
 * real Bolt receiver, against the fake Slack.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { viewTicket } from '../../../src/domain/ticket.js';
import { ACTION_IDS } from '../../../adapters/slack/render.js';
import { tsToMs } from '../../../adapters/slack/text.js';
import { blockActions, button, messageEvent, TEAM_ID, type Payload } from '../../../testkit/slack-requests.js';
import { StaffDirectory } from '../../../adapters/slack/staff.js';
import { ACME, ALICE, BOB, captureLogger, CONFIG, CUSTOMER, CUSTOMER_TEAM, GLOBEX, Harness, OTHER_CUSTOMER, STAFF_CHANNEL, noTroubleIn, type CapturedLog } from './harness.js';

/** A single-channel guest of our workspace, invited into Acme's channel. */
const GUEST = 'U0GUEST';
/** A multi-channel guest of our workspace. */
const MULTI_GUEST = 'U0MULTI';
/** A full member of our workspace, in no staff list: staff only because of staff.slackTeam. */
const MEMBER = 'U0DAN';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start({ config: CONFIG.replace('  slackGroups: [S0SUPPORT]', `  slackGroups: [S0SUPPORT]\n  slackTeam: ${TEAM_ID}`) });
  h.fake.setGuest(GUEST, 'single-channel');
  h.fake.setGuest(MULTI_GUEST, 'multi-channel');
});
afterEach(async () => {
  await h.stop();
});

async function customerAsks(channel: string, text: string): Promise<{ ts: string; id: number }> {
  const ts = h.ts();
  await h.slack.event(messageEvent({ channel, user: channel === ACME ? CUSTOMER : OTHER_CUSTOMER, user_team: CUSTOMER_TEAM, text, ts }));
  return { ts, id: (await h.ticketOf(channel, ts))!.id };
}

/** A message from our workspace (guest or member) in a channel, at the top level or in a thread. */
async function ourWorkspaceSays(user: string, channel: string, text: string, threadTs?: string): Promise<string> {
  const ts = h.ts();
  const response = await h.slack.event(messageEvent({ channel, user, user_team: TEAM_ID, text, ts, ...(threadTs ? { thread_ts: threadTs } : {}) }));
  expect(response.status).toBe(200);
  return ts;
}

async function sla(user: string, channel: string, text: string): Promise<string> {
  const response = await h.slack.command({ user_id: user, channel_id: channel, text, response_url: h.fake.responseUrl() });
  expect(response.status).toBe(200);
  const answer = response.json();
  return `${String(answer.text)}\n${JSON.stringify(answer.blocks ?? [])}`;
}

describe('a guest of our workspace in a customer channel', () => {
  it.each([GUEST, MULTI_GUEST])('%s: a reply in a ticket thread is a customer message and does not stop the first-response clock', async (guest) => {
    const { ts, id } = await customerAsks(ACME, 'Our exports fail');
    const reply = await ourWorkspaceSays(guest, ACME, 'Same here, any news?', ts);
    const view = viewTicket((await h.ticketOf(ACME, ts))!);
    expect(view.staffReplied).toBe(false);
    expect(view.lastCustomerMessageAt).toBe(tsToMs(reply));
    const status = await h.desk.runCommand({ platform: 'slack', channelId: STAFF_CHANNEL, author: { userId: ALICE }, text: `status ${id}` });
    expect(status.reply.cards?.[0]?.body).toMatch(/first response: due/);
    noTroubleIn(h);
  });

  it('a top-level question opens a ticket, as a customer\'s does', async () => {
    const ts = await ourWorkspaceSays(GUEST, ACME, 'How do I rotate our API key?');
    expect(await h.ticketOf(ACME, ts)).toBeDefined();
    await h.fake.channel(ACME).thread(ts).expectMessage(/Ticket #1 opened for Acme Corp/);
  });

  it('cannot list another customer\'s tickets with /sla queue', async () => {
    await customerAsks(ACME, 'Acme problem');
    await customerAsks(GLOBEX, 'Globex invoices are wrong');
    await ourWorkspaceSays(GUEST, ACME, 'Hello from Acme'); // Slack now knows them as posting from our workspace
    const queue = await sla(GUEST, ACME, 'queue');
    expect(queue).toMatch(/Open tickets \(1\)/);
    expect(queue).not.toMatch(/Globex/);
    const other = await sla(GUEST, ACME, 'status 2');
    expect(other).toMatch(/There is no ticket #2 here/);
    expect(other).not.toMatch(/invoices/);
  });

  it('cannot resolve or claim a ticket, with /sla or with a button', async () => {
    const acme = await customerAsks(ACME, 'Acme problem');
    const globex = await customerAsks(GLOBEX, 'Globex invoices are wrong');
    await ourWorkspaceSays(GUEST, ACME, 'Hello from Acme');
    for (const text of [`resolve ${globex.id}`, `resolve ${acme.id}`, `claim ${acme.id}`]) {
      expect(await sla(GUEST, ACME, text)).toMatch(/only the support team can change a ticket/);
    }
    const responseUrl = h.fake.responseUrl();
    const clicked = await h.slack.interaction(
      blockActions({ user: GUEST, userTeam: TEAM_ID, channel: STAFF_CHANNEL, messageTs: h.ts(), action: button(ACTION_IDS.resolve, String(globex.id)), responseUrl }),
    );
    expect(clicked.status).toBe(200);
    await h.fake.waitForResponse((body: Payload) => /only the support team/.test(String(body.text)));
    for (const { ts, channel } of [{ ...acme, channel: ACME }, { ...globex, channel: GLOBEX }]) {
      const view = viewTicket((await h.ticketOf(channel, ts))!);
      expect(view.state).toBe('open');
      expect(view.assignee).toBeUndefined();
    }
  });

  it('a person listed as staff who is a guest is not staff either, and the log says so once', async () => {
    h.fake.setGuest(BOB, 'multi-channel');
    const { ts, id } = await customerAsks(ACME, 'Webhooks are delayed');
    await ourWorkspaceSays(BOB, ACME, 'Looking', ts);
    await ourWorkspaceSays(BOB, ACME, 'Still looking', ts);
    expect(viewTicket((await h.ticketOf(ACME, ts))!).staffReplied).toBe(false);
    expect(await sla(BOB, STAFF_CHANNEL, `claim ${id}`)).toMatch(/only the support team can change a ticket/);
    const warnings = h.logs.filter((l) => /listed as staff is a guest/.test(l.message));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.fields).toEqual({ user: BOB });
  });
});

describe('a full member of our workspace', () => {
  it('is still staff: the reply stops the clock, /sla queue shows every customer, and Slack is asked once', async () => {
    const acme = await customerAsks(ACME, 'Acme problem');
    await customerAsks(GLOBEX, 'Globex invoices are wrong');
    // Customers cost no users.info call.
    expect(h.fake.callsTo('users.info')).toEqual([]);
    await ourWorkspaceSays(MEMBER, ACME, 'On it', acme.ts);
    expect(viewTicket((await h.ticketOf(ACME, acme.ts))!).staffReplied).toBe(true);
    const queue = await sla(MEMBER, ACME, 'queue');
    expect(queue).toMatch(/Open tickets \(2\)/);
    expect(queue).toMatch(/Globex/);
    expect(h.fake.callsTo('users.info').map((c) => c.args.user)).toEqual([MEMBER]);
    noTroubleIn(h);
  });
});

describe('when Slack cannot say whether someone is a guest', () => {
  it('nobody becomes staff on a failed lookup, and the log names the missing scope', async () => {
    // A Web API that refuses users.info as Slack does for an app installed without users:read.
    const api = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: 'missing_scope', needed: 'users:read', provided: 'chat:write' }));
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const client = new webApi.WebClient('xoxb-test', { slackApiUrl: `http://127.0.0.1:${(api.address() as AddressInfo).port}/api/`, retryConfig: { retries: 0 } });
    const logs: CapturedLog[] = [];
    const directory = new StaffDirectory(client, [], captureLogger(logs), 0);
    const config = parseConfig(CONFIG.replace('  slackGroups: [S0SUPPORT]', `  slackGroups: [S0SUPPORT]\n  slackTeam: ${TEAM_ID}`));
    try {
      expect(await directory.markGuest({ userId: MEMBER, team: TEAM_ID }, config)).toEqual({ userId: MEMBER, team: TEAM_ID, guest: true });
      expect(logs.map((l) => l.message)).toEqual([expect.stringMatching(/grant the users:read scope/)]);
      // A customer of another workspace is not looked up at all.
      expect(await directory.markGuest({ userId: CUSTOMER, team: CUSTOMER_TEAM }, config)).toEqual({ userId: CUSTOMER, team: CUSTOMER_TEAM });
      expect(logs).toHaveLength(1);
    } finally {
      await new Promise<void>((resolve) => api.close(() => resolve()));
    }
  });
});
