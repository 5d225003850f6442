/**
 * Request verification by the real Bolt HTTP receiver: only requests signed
 * with the signing secret within the last five minutes get in; everything
 * else is a 401 and leaves no trace (no ticket, no Web API call).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { messageEvent, signature, slashCommand } from '../../../testkit/slack-requests.js';
import { ACME, BOT_TOKEN, CUSTOMER, Harness, SIGNING_SECRET } from './harness.js';

let h: Harness;
beforeAll(async () => {
  h = await Harness.start();
});
afterAll(async () => {
  await h.stop();
});
beforeEach(() => {
  h.fake.clearCalls();
});

const body = () => JSON.stringify({ type: 'event_callback', team_id: 'T0OURTEAM', api_app_id: 'A0SLAWATCH', event_id: 'Ev0SIG', event_time: 1, event: messageEvent({ channel: ACME, user: CUSTOMER, text: 'please help', ts: h.ts() }) });

async function expectNothingHappened() {
  // Give a wrongly accepted request time to show.
  await new Promise((r) => setTimeout(r, 150));
  expect(await h.ticketCount()).toBe(0);
  expect(h.fake.calls).toEqual([]);
}

describe('request signatures', () => {
  it('rejects an unsigned request', async () => {
    const response = await h.slack.send(body(), 'application/json', { signature: null });
    expect(response.status).toBe(401);
    await expectNothingHappened();
  });

  it('rejects a request signed with another secret', async () => {
    const text = body();
    const now = Math.floor(Date.now() / 1000);
    const response = await h.slack.send(text, 'application/json', { signature: signature('not-the-signing-secret', now, text) });
    expect(response.status).toBe(401);
    await expectNothingHappened();
  });

  it('rejects a signature over a different body (tampered payload)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const response = await h.slack.send(body(), 'application/json', { signature: signature(SIGNING_SECRET, now, body()) });
    expect(response.status).toBe(401);
    await expectNothingHappened();
  });

  it('rejects a correctly signed request more than five minutes old (replay)', async () => {
    const response = await h.slack.send(body(), 'application/json', { timestampSec: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(response.status).toBe(401);
    await expectNothingHappened();
  });

  it('rejects an unsigned slash command', async () => {
    const form = new URLSearchParams(slashCommand({ user_id: CUSTOMER, channel_id: ACME, text: 'queue' })).toString();
    const response = await h.slack.send(form, 'application/x-www-form-urlencoded', { signature: null });
    expect(response.status).toBe(401);
    expect(response.text).toBe('');
    await expectNothingHappened();
  });

  it('accepts a request signed a few minutes ago (clock skew within the window)', async () => {
    const response = await h.slack.send(body(), 'application/json', { timestampSec: Math.floor(Date.now() / 1000) - 4 * 60 });
    expect(response.status).toBe(200);
    expect(await h.ticketCount()).toBe(1);
  });

  it('accepts a form body with a charset parameter', async () => {
    const form = new URLSearchParams(slashCommand({ user_id: CUSTOMER, channel_id: ACME, text: 'help' })).toString();
    const response = await h.slack.send(form, 'application/x-www-form-urlencoded; charset=utf-8');
    expect(response.status).toBe(200);
    expect(response.json().text).toMatch(/status \[ticket\]/);
  });

  it('answers 404 off the events path', async () => {
    const response = await fetch(h.slack.url.replace('/slack/events', '/elsewhere'), { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
  });

  it('never writes the tokens or the signing secret to the logs', () => {
    const everything = JSON.stringify(h.logs);
    expect(h.logs.length).toBeGreaterThan(0);
    expect(everything).not.toContain(BOT_TOKEN);
    expect(everything).not.toContain(SIGNING_SECRET);
    expect(everything).not.toMatch(/xox[bp]-/);
  });
});
