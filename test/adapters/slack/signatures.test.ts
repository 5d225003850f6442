/**
 * Request verification by the real Bolt HTTP receiver: only requests signed
 * with the signing secret within the last five minutes get in; everything
 * else is a 401 and leaves no trace (no ticket, no Web API call). A signed
 * body that is not an object is refused (400) and never stops the app.
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

describe('signed bodies of the wrong shape', () => {
  const JSON_TYPE = 'application/json';
  const FORM_TYPE = 'application/x-www-form-urlencoded';
  const form = (payload: string) => new URLSearchParams({ payload }).toString();
  let before: number;
  beforeEach(async () => {
    before = await h.ticketCount();
  });
  async function expectNoTrace() {
    await new Promise((r) => setTimeout(r, 150));
    expect(await h.ticketCount()).toBe(before);
    expect(h.fake.calls).toEqual([]);
  }

  // Bodies that are not an object, as JSON or as an interactivity payload: refused before Bolt reads them.
  it.each([
    ['null', JSON_TYPE],
    ['[]', JSON_TYPE],
    ['"x"', JSON_TYPE],
    ['123', JSON_TYPE],
    [form('null'), FORM_TYPE],
    [form('[]'), FORM_TYPE],
    [form('"x"'), FORM_TYPE],
    [form('123'), FORM_TYPE],
  ])('%s (%s) is answered 400', async (text, type) => {
    const response = await h.slack.send(text, type, { timeoutMs: 5_000 });
    expect(response.status).toBe(400);
    await expectNoTrace();
  });

  it('a body over 4 MB is answered 413', async () => {
    const response = await h.slack.send(JSON.stringify({ type: 'event_callback', padding: 'x'.repeat(4 * 1024 * 1024) }), JSON_TYPE, { timeoutMs: 5_000 });
    expect(response.status).toBe(413);
    await expectNoTrace();
  });

  it('objects Bolt cannot place get Bolt\'s own answer, and the app serves the next event', async () => {
    const answers = await Promise.all(
      ['{}', '{"type":"event_callback"}', '{"type":"view_submission"}', '{"type":"event_callback","event":null}'].map(async (text) => (await h.slack.send(text, JSON_TYPE, { timeoutMs: 5_000 })).status),
    );
    // Nothing to dispatch: not acknowledged within Slack's 3 s (404); a body Bolt trips over while routing: 500.
    expect(answers).toEqual([404, 404, 500, 500]);
    await expectNoTrace();
    const ts = h.ts();
    expect((await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, text: 'Are you still there?', ts }))).status).toBe(200);
    expect(await h.ticketOf(ACME, ts)).toBeDefined();
  });
});
