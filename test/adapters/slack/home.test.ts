/**
 * App Home: staff see the open tickets, most urgent first, with tier,
 * severity, time left and assignee; anyone else sees no ticket data.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appHomeOpened, messageEvent } from '../../../testkit/slack-requests.js';
import { ACME, ALICE, CAROL, CUSTOMER, GLOBEX, Harness, OTHER_CUSTOMER, STAFF_CHANNEL, noTroubleIn } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await Harness.start();
});
afterEach(async () => {
  await h.stop();
  noTroubleIn(h);
});

const published = (user: string) =>
  h.fake.waitFor(() => h.fake.callsTo('views.publish').find((c) => c.args.user_id === user)?.args, `views.publish for ${user}`);

const sectionTexts = (view: unknown) =>
  ((view as { blocks: { type: string; text?: { text: string } }[] }).blocks ?? []).filter((b) => b.type === 'section').map((b) => b.text?.text ?? '');

describe('App Home', () => {
  it('shows staff the queue ordered by due time, with tier, severity, time left and assignee', async () => {
    // Globex (standard, 4 h) first, then Acme (enterprise, 1 h): Acme is due sooner.
    await h.slack.event(messageEvent({ channel: GLOBEX, user: OTHER_CUSTOMER, text: 'Question about invoices', ts: h.ts() }));
    await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, text: 'Production outage!', ts: h.ts() }));
    await h.desk.runCommand({ platform: 'slack', channelId: STAFF_CHANNEL, author: { userId: ALICE }, text: 'claim 1' });

    await h.slack.event(appHomeOpened(CAROL));
    const view = await published(CAROL);
    expect(view.view).toMatchObject({ type: 'home' });
    const rows = sectionTexts(view.view);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^\*#2\*\s+Acme Corp · enterprise · urgent · (1h|5\dm( \d+s)?) left · unclaimed$/);
    expect(rows[1]).toMatch(/^\*#1\*\s+Globex · standard · \w+ · (4h|3h 5\dm( \d+s)?) left · Alice$/);
    expect(JSON.stringify(view.view)).toMatch(/2 open tickets, most urgent first/);
  });

  it('shows a customer no ticket data', async () => {
    await h.slack.event(messageEvent({ channel: ACME, user: CUSTOMER, text: 'Secret project Falcon is failing', ts: h.ts() }));
    await h.slack.event(appHomeOpened(CUSTOMER));
    const view = await published(CUSTOMER);
    expect(JSON.stringify(view)).not.toMatch(/Falcon|Acme|#1/);
    expect(JSON.stringify(view)).toMatch(/support channel/);
  });
});
