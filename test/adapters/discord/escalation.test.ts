/**
 * Warnings, breaches and escalations in the staff channel: embeds with the
 * ticket's buttons, pings for exactly the right users and roles, a link to
 * the thread, and delivery that never posts twice (nonce + enforce_nonce,
 * discord.js retries, a resend after a crash) and respects rate limits.
 * Targets are seconds long; the clocks run in real time.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import type { OutboxItem } from '../../../src/service/outbox.js';
import { openMemoryStore } from '../../../src/store/open.js';
import { customIds, messageText } from '../../helpers/fake-discord.js';
import { ackIn, configYaml, IDS, newFake, startHarness, type Harness } from './harness.js';

/** Warning at 0.5 s, breach at 1 s. */
const FAST = '{ firstResponse: 1s, resolution: 1h }';
/** Slow enough that a staff reply right after the acknowledgement beats the first warning, even on a busy machine. */
const FAST_ENOUGH = '{ firstResponse: 2s, resolution: 1h }';
const LEVELS = `[{ notify: [schedule:primary, "group:${IDS.oncallRole}"], delay: 1s }, { notify: [person:carol, "group:S0SLACKGROUP"], delay: 1h }]`;
const STAFF_MESSAGES = new RegExp(`^/channels/${IDS.staffChannel}/messages$`);

const sorted = (ids: string[]) => [...ids].sort();

describe('Discord escalation pings', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('warns, then pings exactly the users and roles of each level in the staff channel, with the thread and the buttons', async () => {
    h = await startHarness({ yaml: configYaml({ targets: FAST, levels: LEVELS, dm: true }) });
    const opener = h.fake.postMessage(IDS.acme, h.dana, 'Checkout fails for every customer');
    await ackIn(h.fake, opener);
    const staff = h.fake.channel(IDS.staffChannel);

    // Warning: the account engineer (Bob) and whoever is on call (Alice).
    const warning = await staff.expectMessage(/#1 first response due soon/, 4_000);
    expect(sorted(warning.pinged.users)).toEqual(sorted([IDS.alice, IDS.bob]));
    expect(warning.pinged).toMatchObject({ roles: [], everyone: false });
    expect(warning.body.allowed_mentions).toEqual({ parse: [], users: warning.pinged.users, roles: [] });
    expect(warning.body.content).toContain(`<#${opener.id}>`);
    expect(warning.body).toMatchObject({ enforce_nonce: true });
    expect(String(warning.body.nonce)).toMatch(/^\d{1,25}$/);
    expect(customIds(warning.message)).toEqual(['slawatch:claim:1', 'slawatch:wait:1', 'slawatch:resolve:1', 'slawatch:severity:1']);
    expect((warning.message.embeds[0] as { url?: string }).url).toBe(`https://discord.com/channels/${h.fake.guildId}/${opener.id}`);

    // Breach, level 1: the account engineer, the on-call person and the on-call role — and nobody else.
    const breach = await staff.expectMessage(/#1 first response BREACHED/, 4_000);
    expect(sorted(breach.pinged.users)).toEqual(sorted([IDS.alice, IDS.bob]));
    expect(breach.pinged.roles).toEqual([IDS.oncallRole]);
    expect(breach.body.allowed_mentions).toEqual({ parse: [], users: breach.pinged.users, roles: [IDS.oncallRole] });
    expect(breach.body.nonce).not.toBe(warning.body.nonce);

    // Level 2: the account engineer (Bob) again, as in every level; Carol has no Discord id (named, not
    // pinged); a Slack user group is not a Discord role.
    const level2 = await staff.expectMessage(/escalation level 2/, 4_000);
    expect(level2.pinged).toEqual({ users: [IDS.bob], roles: [], everyone: false });
    expect(level2.body.content).toMatch(/@\u200bCarol/);
    expect(level2.body.allowed_mentions).toEqual({ parse: [], users: [IDS.bob], roles: [] });

    // With staff.dm, Alice also got a direct message, which pings no one.
    const dm = await h.fake.channel(`dm-${IDS.alice}`).expectMessage(/You were pinged in/);
    expect(dm.pinged.users).toEqual([]);

    // The customer's thread saw the acknowledgement only; the staff channel's buttons work.
    expect(h.fake.channel(opener.id).sent).toHaveLength(1);
    const click = h.fake.click(h.rita, breach.message, 'slawatch:claim:1');
    await h.fake.waitFor(() => click.edits.length > 0, 'the notification edit');
    expect(messageText(h.fake.messagesIn(IDS.staffChannel).find((m) => m.id === breach.message.id)!)).toMatch(/Assignee: rita/);
  });

  it('stops the ladder when staff answer in the thread', async () => {
    h = await startHarness({ yaml: configYaml({ targets: FAST_ENOUGH, levels: LEVELS }) });
    const unanswered = h.fake.postMessage(IDS.acme, h.dana, 'Unanswered: API 500s');
    const answered = h.fake.postMessage(IDS.globex, h.erin, 'Answered: cannot export');
    await ackIn(h.fake, unanswered);
    await ackIn(h.fake, answered);
    h.fake.postMessage(answered.id, h.alice, 'Hi Erin, looking at it.');
    await h.fake.channel(IDS.staffChannel).expectMessage(/#1 first response BREACHED/, 4_000);
    expect(h.fake.channel(IDS.staffChannel).count(/#2 /)).toBe(0);
    expect(viewTicket((await h.store.get(2))!).staffReplied).toBe(true);
  });

  it('coalesces a storm: tickets due together share messages, each with its embed and its buttons', async () => {
    h = await startHarness({ yaml: configYaml({ targets: FAST, standardTargets: FAST, levels: LEVELS, warnAt: '[0.5]', coalesce: '1s' }) });
    for (const [channel, who] of [[IDS.acme, h.dana], [IDS.globex, h.erin], [IDS.initech, h.dana]] as const) {
      const opener = h.fake.postMessage(channel, who, `Outage in ${channel}`);
      await ackIn(h.fake, opener);
    }
    const staff = h.fake.channel(IDS.staffChannel);
    await h.fake.waitFor(() => staff.sent.flatMap((s) => s.message.embeds).filter((e) => /due soon/.test(String(e.title))).length >= 3, 'three warnings', 5_000);
    const warnings = staff.sent.filter((s) => /due soon/.test(messageText(s.message)));
    expect(warnings.length).toBeLessThan(3);
    const batch = warnings.find((s) => s.message.embeds.length > 1)!;
    expect(batch.message.embeds.length).toBeGreaterThan(1);
    const ids = customIds(batch.message);
    expect(ids.some((id) => id.startsWith('slawatch:claim:'))).toBe(true);
    expect((batch.message.components as { components: { label?: string }[] }[])[0]!.components[0]!.label).toMatch(/^Claim #\d+$/);
  });
  it('posts announcements (handoffs, digests) with exactly their pings', async () => {
    h = await startHarness();
    await h.app.post([
      {
        type: 'post',
        platform: 'discord',
        channelId: IDS.staffChannel,
        card: { tone: 'info', title: 'Alice is now on call for primary', fields: [{ label: 'Until', value: 'Mon 09:00' }], mentions: { people: ['alice'], groups: [IDS.oncallRole] } },
      },
    ]);
    const post = await h.fake.channel(IDS.staffChannel).expectMessage(/now on call/);
    expect(post.pinged).toEqual({ users: [IDS.alice], roles: [IDS.oncallRole], everyone: false });
    expect(post.body.allowed_mentions).toEqual({ parse: [], users: [IDS.alice], roles: [IDS.oncallRole] });
    expect(post.body).toMatchObject({ enforce_nonce: true });
  });
});

describe('Discord notification delivery', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('does not post twice when discord.js retries a request whose response was lost (enforced nonce)', async () => {
    h = await startHarness({ yaml: configYaml({ targets: FAST, levels: LEVELS }) });
    // The first POST to the staff channel is stored, then answered 500: discord.js retries with the same body.
    h.fake.failNext('POST', STAFF_MESSAGES, { status: 500, afterHandling: true });
    await ackIn(h.fake, h.fake.postMessage(IDS.acme, h.dana, 'Payments stuck'));
    await h.fake.channel(IDS.staffChannel).expectMessage(/due soon/, 4_000);
    await h.fake.waitFor(() => h!.fake.requests.filter((r) => r.method === 'POST' && STAFF_MESSAGES.test(r.path)).length >= 2, 'the retry');
    await h.settle();
    expect(h.fake.nonceHits).toBe(1);
    expect(h.fake.messagesIn(IDS.staffChannel).filter((m) => /due soon/.test(messageText(m)))).toHaveLength(1);
    // The warning's record (the account engineer's message at open has its own).
    const record = Object.entries((await h.store.get(1))!.notifications).find(([key, r]) => key.includes(':warning:') && r.status === 'sent')?.[1];
    expect(record?.ref).toBe(h.fake.channel(IDS.staffChannel).sent[0]!.message.id);
  });

  it('waits out a 429 in discord.js\'s rate-limit queue and posts once', async () => {
    h = await startHarness({ yaml: configYaml({ targets: FAST, levels: LEVELS }) });
    h.fake.rateLimitNext('POST', STAFF_MESSAGES, 0.4);
    await ackIn(h.fake, h.fake.postMessage(IDS.acme, h.dana, 'Queue is stuck'));
    await h.fake.channel(IDS.staffChannel).expectMessage(/due soon/, 4_000);
    const posts = h.fake.requests.filter((r) => r.method === 'POST' && STAFF_MESSAGES.test(r.path));
    expect(posts.map((r) => r.status)).toEqual([429, 200]);
    expect(posts[1]!.at - posts[0]!.at).toBeGreaterThanOrEqual(350);
    expect(h.logs.lines.some((l) => l.message.includes('rate limited'))).toBe(true);
  });

  it('a new process resending what a dead one may have sent finds it and posts nothing new', async () => {
    // Discord's nonce memory is switched off here, so only the history check stands between us and a duplicate.
    const fake = await newFake({ nonceWindowMs: 0 });
    const store = openMemoryStore();
    const yaml = configYaml({ targets: '{ firstResponse: 4s, resolution: 1h }', warnAt: '[0.25]', levels: LEVELS });
    const first = await startHarness({ fake, store, yaml });
    const enqueued: OutboxItem[] = [];
    const enqueue = first.app.outbox.enqueue.bind(first.app.outbox);
    first.app.outbox.enqueue = (item) => {
      enqueued.push(item);
      enqueue(item);
    };
    await ackIn(fake, fake.postMessage(IDS.acme, first.dana, 'Reports missing'));
    const warning = await fake.channel(IDS.staffChannel).expectMessage(/due soon/, 3_000);
    await first.settle();
    await first.stop();

    // As if the process died between posting and recording: the record says "sending", owned by a process whose lease ran out.
    await store.update(1, (ticket) => {
      const [key, record] = Object.entries(ticket.notifications).find(([, r]) => r.status === 'sent')!;
      return { ...ticket, notifications: { ...ticket.notifications, [key]: { ...record, status: 'sending', owner: 'dead-process', claimedAt: 0, outbox: enqueued } } };
    });

    h = await startHarness({ fake, store, yaml });
    await h.fake.waitFor(() => h!.logs.lines.some((l) => l.message.includes('already posted')), 'the resend check', 3_000);
    await h.settle();
    expect(fake.messagesIn(IDS.staffChannel).filter((m) => /due soon/.test(messageText(m)))).toHaveLength(1);
    const record = Object.entries((await store.get(1))!.notifications).find(([key, r]) => key.includes(':warning:') && r.status === 'sent')?.[1];
    expect(record?.ref).toBe(warning.message.id);
    await h.stop();
    h = undefined;
    await fake.close();
  });
});
