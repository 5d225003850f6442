/**
 * A known set of tickets for the report, export and digest tests. Every
 * ticket's clocks are worked out by hand below; the tests check the report's
 * figures against these numbers.
 *
 * Config: enterprise (acme) runs 24x7: first response 1h (urgent 15m), next
 * response 2h, resolution 8h. Standard (globex) runs in office hours, Berlin,
 * Mon–Fri 09:00–17:00 (in March before the 29th that is 08:00–16:00 UTC):
 * first response 4h, resolution 2d (= 48 working hours = six 8-hour days),
 * no next-response target (that clock is not run).
 */
import { parseConfig } from '../../src/config/load.js';
import type { Actor, Platform, Ticket, TicketEvent } from '../../src/domain/ticket.js';

export const CONFIG_YAML = `
people:
  alice: { name: Alice, slack: U0ALICE }
  bob: { name: Bob, slack: U0BOB }
staff:
  people: [alice, bob]
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { slack: [C0ACME], shell: [acme] } }
  - { id: globex, name: Globex, tier: standard, channels: { discord: ["200000000000000003"], shell: [globex] } }
tiers:
  enterprise:
    calendar: 24x7
    targets:
      default: { firstResponse: 1h, nextResponse: 2h, resolution: 8h }
      urgent: { firstResponse: 15m }
  standard:
    calendar: office
    targets:
      default: { firstResponse: 4h, resolution: 2d }
calendars:
  office:
    timezone: Europe/Berlin
    hours:
      mon: ["09:00-17:00"]
      tue: ["09:00-17:00"]
      wed: ["09:00-17:00"]
      thu: ["09:00-17:00"]
      fri: ["09:00-17:00"]
schedules:
  primary:
    timezone: Europe/Berlin
    layers:
      - users: [alice, bob]
        rotation: { every: 1w, handoff: "09:00", start: "2026-01-05" }
store:
  backend: memory
`;

export const config = parseConfig(CONFIG_YAML);

export const ms = (iso: string): number => Date.parse(iso);
const staff = (id: string): Actor => ({ platform: 'shell', userId: id, personId: id });
const slackStaff = (id: string, userId: string): Actor => ({ platform: 'slack', userId, personId: id });

function ticket(id: number, place: { platform: Platform; channelId: string; threadId: string }, events: TicketEvent[]): Ticket {
  const opened = events[0];
  if (opened?.type !== 'opened') throw new Error('fixture tickets start with "opened"');
  return { id, customer: opened.customer, ...place, events, notifications: {}, version: 1 };
}

/**
 * #1 acme, enterprise, normal — everything met, then closed.
 *   FR 09:00 → reply 09:40: met, 40 min = 2400 s.  NR #1 10:00 → reply 11:00 (due 12:00): met.
 *   Resolution 09:00 → resolved 15:00 (due 17:00): met. Assignee alice.
 */
const t1 = ticket(1, { platform: 'shell', channelId: 'acme', threadId: 'm1' }, [
  { type: 'opened', at: ms('2026-03-02T09:00:00Z'), customer: 'acme', tier: 'enterprise', severity: 'normal', text: 'Exports time out' },
  { type: 'claimed', at: ms('2026-03-02T09:10:00Z'), by: staff('alice') },
  { type: 'staff_reply', at: ms('2026-03-02T09:40:00Z'), by: staff('alice') },
  { type: 'customer_message', at: ms('2026-03-02T10:00:00Z'), text: 'still slow' },
  { type: 'staff_reply', at: ms('2026-03-02T11:00:00Z'), by: staff('alice') },
  { type: 'resolved', at: ms('2026-03-02T15:00:00Z'), by: staff('alice') },
  { type: 'closed', at: ms('2026-03-03T09:00:00Z'), by: staff('alice') },
]);

/**
 * #2 acme, enterprise, urgent, on Slack — breached three times, unassigned.
 *   FR 15 min: due 10:15, reply 10:30: breached at 10:15; stopped, 30 min = 1800 s.
 *   Resolution 8h: runs 10:00–11:00 (1h), paused while waiting on the customer, resumes
 *   Wed 09:00 with 7h left: due Wed 16:00, never resolved: breached 2026-03-04T16:00Z.
 *   NR #1 starts at the customer's message Wed 09:00, due 11:00, no reply: breached 2026-03-04T11:00Z.
 */
const t2 = ticket(2, { platform: 'slack', channelId: 'C0ACME', threadId: '1772532000.000100' }, [
  { type: 'opened', at: ms('2026-03-03T10:00:00Z'), customer: 'acme', tier: 'enterprise', severity: 'urgent', text: 'Checkout is down' },
  { type: 'staff_reply', at: ms('2026-03-03T10:30:00Z'), by: slackStaff('bob', 'U0BOB') },
  { type: 'waiting_on_customer', at: ms('2026-03-03T11:00:00Z'), by: slackStaff('bob', 'U0BOB') },
  { type: 'customer_message', at: ms('2026-03-04T09:00:00Z'), text: 'here are the logs' },
]);

/**
 * #3 acme, enterprise, low — paused, resolved, reopened, resolved again; all met.
 *   FR 08:00 → reply 08:20: met, 1200 s.
 *   Resolution: 08:00–09:00 (1h), waiting 09:00–13:00, 13:00–15:00 (2h), resolved; reopened Fri
 *   09:00 with 5h left (due 14:00), resolved 11:00 (2h more): 5h used of 8h: met.
 *   NR #1 13:00 → reply 14:00: met. NR #2 (after the reopen) 09:30 → reply 10:00: met.
 *   Assignee bob (claimed after the reopen).
 */
const t3 = ticket(3, { platform: 'shell', channelId: 'acme', threadId: 'm3' }, [
  { type: 'opened', at: ms('2026-03-05T08:00:00Z'), customer: 'acme', tier: 'enterprise', severity: 'low', text: 'Question about invoices' },
  { type: 'staff_reply', at: ms('2026-03-05T08:20:00Z'), by: staff('alice') },
  { type: 'waiting_on_customer', at: ms('2026-03-05T09:00:00Z'), by: staff('alice') },
  { type: 'customer_message', at: ms('2026-03-05T13:00:00Z'), text: 'the invoice number is 42' },
  { type: 'staff_reply', at: ms('2026-03-05T14:00:00Z'), by: staff('alice') },
  { type: 'resolved', at: ms('2026-03-05T15:00:00Z'), by: staff('alice') },
  { type: 'reopened', at: ms('2026-03-06T09:00:00Z'), by: staff('bob') },
  { type: 'claimed', at: ms('2026-03-06T09:05:00Z'), by: staff('bob') },
  { type: 'customer_message', at: ms('2026-03-06T09:30:00Z'), text: 'one more thing' },
  { type: 'staff_reply', at: ms('2026-03-06T10:00:00Z'), by: staff('bob') },
  { type: 'resolved', at: ms('2026-03-06T11:00:00Z'), by: staff('bob') },
]);

/**
 * #4 globex, standard, normal — business hours, met.
 *   Opened Fri 6 Mar 16:00 Berlin (15:00Z). FR 4 working hours: Fri 16:00–17:00 (1h), Mon 09:00 + 3h:
 *   due Mon 9 Mar 12:00 Berlin (11:00Z). Reply Mon 11:30 Berlin (10:30Z): met; working time
 *   1h + 2h30 = 3h30 = 12600 s.
 *   Resolved Tue 10 Mar 16:00 Berlin: Fri 1h + Mon 8h + Tue 7h = 16h of 48h: met. Assignee bob.
 */
const t4 = ticket(4, { platform: 'shell', channelId: 'globex', threadId: 'm4' }, [
  { type: 'opened', at: ms('2026-03-06T15:00:00Z'), customer: 'globex', tier: 'standard', severity: 'normal', text: 'SSO setup' },
  { type: 'claimed', at: ms('2026-03-06T15:30:00Z'), by: staff('bob') },
  { type: 'staff_reply', at: ms('2026-03-09T10:30:00Z'), by: staff('bob') },
  { type: 'resolved', at: ms('2026-03-10T15:00:00Z'), by: staff('bob') },
]);

/**
 * #5 globex, standard, high, on Discord — opened before opening hours, never answered.
 *   Opened Mon 9 Mar 08:00 Berlin (07:00Z): the clocks count from 09:00 Berlin.
 *   FR: 09:00 + 4h = 13:00 Berlin = 2026-03-09T12:00Z: breached.
 *   Resolution: 48 working hours = Mon 9, Tue 10, Wed 11, Thu 12, Fri 13, Mon 16 (8h each):
 *   Mon 16 Mar 17:00 Berlin = 2026-03-16T16:00Z: breached. Unassigned.
 */
const t5 = ticket(5, { platform: 'discord', channelId: '200000000000000003', threadId: '1480000000000000000' }, [
  { type: 'opened', at: ms('2026-03-09T07:00:00Z'), customer: 'globex', tier: 'standard', severity: 'high', text: 'Reports are empty' },
]);

/**
 * #6 acme, enterprise, normal — opened 30 min before the report's instant (2026-04-10T12:00Z):
 *   FR due 12:30 and resolution due 19:30 are both still running (pending). Unassigned.
 */
const t6 = ticket(6, { platform: 'shell', channelId: 'acme', threadId: 'm6' }, [
  { type: 'opened', at: ms('2026-04-10T11:30:00Z'), customer: 'acme', tier: 'enterprise', severity: 'normal', text: 'Webhook retries' },
]);

/**
 * #7 acme, enterprise, normal → urgent at 09:20 — the new 15-min target puts the FR deadline at
 *   09:15, already past: breached at 2026-04-02T09:15Z. Reply 09:25: stopped, 25 min = 1500 s.
 *   Resolution (8h either way) resolved 10:00: met. Assignee alice.
 */
const t7 = ticket(7, { platform: 'shell', channelId: 'acme', threadId: 'm7' }, [
  { type: 'opened', at: ms('2026-04-02T09:00:00Z'), customer: 'acme', tier: 'enterprise', severity: 'normal', text: 'Login loop' },
  { type: 'severity_changed', at: ms('2026-04-02T09:20:00Z'), severity: 'urgent', by: staff('alice') },
  { type: 'claimed', at: ms('2026-04-02T09:21:00Z'), by: staff('alice') },
  { type: 'staff_reply', at: ms('2026-04-02T09:25:00Z'), by: staff('alice') },
  { type: 'resolved', at: ms('2026-04-02T10:00:00Z'), by: staff('alice') },
]);

/**
 * #8 globex, standard, normal — opened Wed 25 Feb 11:00 Berlin (10:00Z), before the report period
 *   (March on). Never answered. FR due 15:00 Berlin the same day (breached last week, for the digest).
 *   Resolution: Wed 6h, Thu 8h, Fri 8h, Mon 2 Mar 8h, Tue 8h, Wed 8h = 46h; Thu 5 Mar 09:00 + 2h =
 *   11:00 Berlin = 2026-03-05T10:00Z: breached in the digest's week.
 */
const t8 = ticket(8, { platform: 'shell', channelId: 'globex', threadId: 'm8' }, [
  { type: 'opened', at: ms('2026-02-25T10:00:00Z'), customer: 'globex', tier: 'standard', severity: 'normal', text: 'Billing address' },
]);

/** #9 acme, enterprise, normal — opened Thu 26 Feb (before the report period); answered in 30 min, resolved: all met. */
const t9 = ticket(9, { platform: 'shell', channelId: 'acme', threadId: 'm9' }, [
  { type: 'opened', at: ms('2026-02-26T12:00:00Z'), customer: 'acme', tier: 'enterprise', severity: 'normal', text: 'API limits' },
  { type: 'staff_reply', at: ms('2026-02-26T12:30:00Z'), by: staff('alice') },
  { type: 'resolved', at: ms('2026-02-26T13:00:00Z'), by: staff('alice') },
]);

export const TICKETS: readonly Ticket[] = [t1, t2, t3, t4, t5, t6, t7, t8, t9];

/** The report's instant and period: March 1st to April 10th (a date: the whole day), UTC. */
export const REPORT_AT = '2026-04-10T12:00:00Z';
export const REPORT_FROM = '2026-03-01';
export const REPORT_TO = '2026-04-10';
