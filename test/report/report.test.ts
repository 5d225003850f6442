import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { threadLink } from '../../src/report/links.js';
import { resolvePeriod } from '../../src/report/period.js';
import { renderCsv } from '../../src/report/render.js';
import type { ClockCompliance, GroupFigures, ReportModel } from '../../src/report/report.js';
import { buildReport, nearestRank } from '../../src/report/report.js';
import { openMemoryStore } from '../../src/store/open.js';
import { config, ms, REPORT_AT, REPORT_FROM, REPORT_TO, TICKETS } from './fixtures.js';
import { runMain, workspace, type Workspace } from './helpers.js';

// `slawatch report` over the fixture tickets (test/report/fixtures.ts, where each ticket's
// clocks are worked out). The period is March 1st – April 10th (UTC), so tickets #8 and #9
// (February) are left out: 7 tickets, #1–#7, evaluated at 2026-04-10T12:00Z.

const c = (met: number, breached: number, pending: number, percent: number | null): ClockCompliance => ({ met, breached, pending, percent });
const breaches = (firstResponse: number, nextResponse: number, resolution: number, total: number) => ({ firstResponse, nextResponse, resolution, total });

// Breached tickets as the report lists them (links without workspace/guild options).
const T2_BREACHED = {
  id: 2,
  customer: 'acme',
  tier: 'enterprise',
  severity: 'urgent',
  assignee: null,
  state: 'open',
  openedAt: '2026-03-03T10:00:00Z',
  breaches: [
    { clock: 'firstResponse', at: '2026-03-03T10:15:00Z' },
    { clock: 'nextResponse', cycle: 1, at: '2026-03-04T11:00:00Z' },
    { clock: 'resolution', at: '2026-03-04T16:00:00Z' },
  ],
  link: 'https://slack.com/app_redirect?channel=C0ACME&message_ts=1772532000.000100',
};
const T5_BREACHED = {
  id: 5,
  customer: 'globex',
  tier: 'standard',
  severity: 'high',
  assignee: null,
  state: 'open',
  openedAt: '2026-03-09T07:00:00Z',
  breaches: [
    { clock: 'firstResponse', at: '2026-03-09T12:00:00Z' },
    { clock: 'resolution', at: '2026-03-16T16:00:00Z' },
  ],
  link: 'discord:200000000000000003/1480000000000000000',
};
const T7_BREACHED = {
  id: 7,
  customer: 'acme',
  tier: 'enterprise',
  severity: 'urgent',
  assignee: 'alice',
  state: 'resolved',
  openedAt: '2026-04-02T09:00:00Z',
  breaches: [{ clock: 'firstResponse', at: '2026-04-02T09:15:00Z' }],
  link: 'shell:acme/m7',
};

/**
 * Enterprise = acme = #1, #2, #3, #6, #7.
 *   FR: met #1 #3, breached #2 #7, pending #6 → 2/4 = 50 %.
 *   NR: met #1 (c1), #3 (c1, c2); breached #2 (c1); #6 and #7 never started one → 3/4 = 75 %.
 *   Resolution: met #1 #3 #7, breached #2, pending #6 → 3/4 = 75 %.
 *   Overall: met 2+3+3 = 8, breached 2+1+1 = 4, pending 1+0+1 = 2 → 8/12 = 66.7 %.
 *   FR times (stopped): #1 2400, #2 1800, #3 1200, #7 1500 → sorted 1200 1500 1800 2400;
 *   median = rank ceil(0.5·4) = 2 → 1500; p90 = rank ceil(0.9·4) = 4 → 2400.
 *   Breaches: FR 2 (#2, #7), NR 1 (#2), resolution 1 (#2) = 4; tickets breached: #2, #7.
 */
const ENTERPRISE: GroupFigures = {
  tickets: 5,
  ticketsBreached: 2,
  compliance: { firstResponse: c(2, 2, 1, 50), nextResponse: c(3, 1, 0, 75), resolution: c(3, 1, 1, 75), overall: c(8, 4, 2, 66.7) },
  firstResponseTime: { answered: 4, medianSeconds: 1500, p90Seconds: 2400 },
  breaches: breaches(2, 1, 1, 4),
  satisfaction: { count: 0, average: null },
};

/**
 * Standard = globex = #4, #5.
 *   FR: met #4, breached #5 → 1/2 = 50 %. NR: no target, no clocks → null.
 *   Resolution: met #4, breached #5 → 50 %. Overall 2/4 = 50 %.
 *   FR times: only #4 stopped: 12600 s → median and p90 12600.
 *   Breaches: FR 1, resolution 1 = 2; tickets breached: #5.
 */
const STANDARD: GroupFigures = {
  tickets: 2,
  ticketsBreached: 1,
  compliance: { firstResponse: c(1, 1, 0, 50), nextResponse: c(0, 0, 0, null), resolution: c(1, 1, 0, 50), overall: c(2, 2, 0, 50) },
  firstResponseTime: { answered: 1, medianSeconds: 12600, p90Seconds: 12600 },
  breaches: breaches(1, 0, 1, 2),
  satisfaction: { count: 0, average: null },
};

/**
 * All 7: FR met 2+1 = 3, breached 2+1 = 3, pending 1 → 50 %; NR 3/4 = 75 %;
 * resolution met 3+1 = 4, breached 1+1 = 2, pending 1 → 4/6 = 66.7 %;
 * overall met 10, breached 6, pending 2 → 10/16 = 62.5 %.
 * FR times 1200 1500 1800 2400 12600: median rank ceil(2.5) = 3 → 1800; p90 rank ceil(4.5) = 5 → 12600.
 */
const TOTALS: GroupFigures = {
  tickets: 7,
  ticketsBreached: 3,
  compliance: { firstResponse: c(3, 3, 1, 50), nextResponse: c(3, 1, 0, 75), resolution: c(4, 2, 1, 66.7), overall: c(10, 6, 2, 62.5) },
  firstResponseTime: { answered: 5, medianSeconds: 1800, p90Seconds: 12600 },
  breaches: breaches(3, 1, 2, 6),
  satisfaction: { count: 0, average: null },
};

/**
 * Month × customer (UTC months by opening time).
 *   2026-03 acme = #1 #2 #3: FR met #1 #3, breached #2 → 66.7 %; NR met 1+2 = 3, breached 1 → 75 %;
 *     resolution met #1 #3, breached #2 → 66.7 %; overall 7/10 = 70 %; breaches 1/1/1 = 3.
 *   2026-03 globex = #4 #5: as the standard tier above.
 *   2026-04 acme = #6 #7: FR breached #7, pending #6 → 0/1 = 0 %; NR none; resolution met #7,
 *     pending #6 → 100 %; overall 1/2 = 50 % (pending 2); breaches FR 1.
 */
const MONTHLY = [
  {
    month: '2026-03',
    customer: 'acme',
    customerName: 'Acme Corp',
    tickets: 3,
    ticketsBreached: 1,
    breaches: breaches(1, 1, 1, 3),
    compliance: { firstResponse: c(2, 1, 0, 66.7), nextResponse: c(3, 1, 0, 75), resolution: c(2, 1, 0, 66.7), overall: c(7, 3, 0, 70) },
  },
  {
    month: '2026-03',
    customer: 'globex',
    customerName: 'Globex',
    tickets: 2,
    ticketsBreached: 1,
    breaches: breaches(1, 0, 1, 2),
    compliance: { firstResponse: c(1, 1, 0, 50), nextResponse: c(0, 0, 0, null), resolution: c(1, 1, 0, 50), overall: c(2, 2, 0, 50) },
  },
  {
    month: '2026-04',
    customer: 'acme',
    customerName: 'Acme Corp',
    tickets: 2,
    ticketsBreached: 1,
    breaches: breaches(1, 0, 0, 1),
    compliance: { firstResponse: c(0, 1, 1, 0), nextResponse: c(0, 0, 0, null), resolution: c(1, 0, 1, 100), overall: c(1, 1, 2, 50) },
  },
];

let ws: Workspace;
beforeAll(async () => {
  ws = await workspace();
});
afterAll(async () => {
  await ws.cleanup();
});

const periodArgs = ['--from', REPORT_FROM, '--to', REPORT_TO, '--at', REPORT_AT];

async function reportJson(...extra: string[]): Promise<ReportModel> {
  const result = await runMain(['report', '--config', ws.config, '--store', ws.store, ...periodArgs, '--format', 'json', ...extra]);
  expect(result.err).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.out) as ReportModel;
}

describe('slawatch report --format json', () => {
  it('by tier (the default): every figure, the breached tickets, and the monthly summary', async () => {
    const report = await reportJson();
    expect(report).toEqual({
      at: '2026-04-10T12:00:00Z',
      // A date-only --to includes that day: up to April 11th 00:00.
      period: { from: '2026-03-01T00:00:00Z', to: '2026-04-11T00:00:00Z' },
      by: 'tier',
      timezone: 'UTC',
      totals: TOTALS,
      groups: [
        { key: 'enterprise', label: 'enterprise', ...ENTERPRISE, breachedTickets: [T2_BREACHED, T7_BREACHED] },
        { key: 'standard', label: 'standard', ...STANDARD, breachedTickets: [T5_BREACHED] },
      ],
      monthly: MONTHLY,
    });
  });

  it('by customer: acme holds exactly the enterprise tickets and globex the standard ones', async () => {
    const report = await reportJson('--by', 'customer');
    expect(report.by).toBe('customer');
    expect(report.totals).toEqual(TOTALS);
    expect(report.groups).toEqual([
      { key: 'acme', label: 'Acme Corp', ...ENTERPRISE, breachedTickets: [T2_BREACHED, T7_BREACHED] },
      { key: 'globex', label: 'Globex', ...STANDARD, breachedTickets: [T5_BREACHED] },
    ]);
  });

  it('by severity (as at report time: #7 counts as urgent after its change), in severity order', async () => {
    const report = await reportJson('--by', 'severity');
    expect(report.totals).toEqual(TOTALS);
    expect(report.groups).toEqual([
      // urgent = #2, #7. FR breached both → 0/2; NR #2 breached → 0/1; resolution #7 met, #2 breached → 1/2;
      // overall 1/(1+4) = 20 %. FR times 1500, 1800 → median rank 1 = 1500, p90 rank ceil(1.8) = 2 → 1800.
      {
        key: 'urgent',
        label: 'urgent',
        tickets: 2,
        ticketsBreached: 2,
        compliance: { firstResponse: c(0, 2, 0, 0), nextResponse: c(0, 1, 0, 0), resolution: c(1, 1, 0, 50), overall: c(1, 4, 0, 20) },
        firstResponseTime: { answered: 2, medianSeconds: 1500, p90Seconds: 1800 },
        breaches: breaches(2, 1, 1, 4),
        satisfaction: { count: 0, average: null },
        breachedTickets: [T2_BREACHED, T7_BREACHED],
      },
      // high = #5: FR and resolution breached, never answered (no FR time).
      {
        key: 'high',
        label: 'high',
        tickets: 1,
        ticketsBreached: 1,
        compliance: { firstResponse: c(0, 1, 0, 0), nextResponse: c(0, 0, 0, null), resolution: c(0, 1, 0, 0), overall: c(0, 2, 0, 0) },
        firstResponseTime: { answered: 0, medianSeconds: null, p90Seconds: null },
        breaches: breaches(1, 0, 1, 2),
        satisfaction: { count: 0, average: null },
        breachedTickets: [T5_BREACHED],
      },
      // normal = #1, #4, #6: FR met #1 #4, pending #6; NR #1 met; resolution met #1 #4, pending #6;
      // overall 5/5 (pending 2). FR times 2400, 12600 → median rank 1 = 2400, p90 rank 2 = 12600.
      {
        key: 'normal',
        label: 'normal',
        tickets: 3,
        ticketsBreached: 0,
        compliance: { firstResponse: c(2, 0, 1, 100), nextResponse: c(1, 0, 0, 100), resolution: c(2, 0, 1, 100), overall: c(5, 0, 2, 100) },
        firstResponseTime: { answered: 2, medianSeconds: 2400, p90Seconds: 12600 },
        breaches: breaches(0, 0, 0, 0),
        satisfaction: { count: 0, average: null },
        breachedTickets: [],
      },
      // low = #3: FR, two NR cycles and resolution, all met. FR time 1200.
      {
        key: 'low',
        label: 'low',
        tickets: 1,
        ticketsBreached: 0,
        compliance: { firstResponse: c(1, 0, 0, 100), nextResponse: c(2, 0, 0, 100), resolution: c(1, 0, 0, 100), overall: c(4, 0, 0, 100) },
        firstResponseTime: { answered: 1, medianSeconds: 1200, p90Seconds: 1200 },
        breaches: breaches(0, 0, 0, 0),
        satisfaction: { count: 0, average: null },
        breachedTickets: [],
      },
    ]);
  });

  it('by assignee: people by name, then the unassigned', async () => {
    const report = await reportJson('--by', 'assignee');
    expect(report.totals).toEqual(TOTALS);
    expect(report.groups).toEqual([
      // alice = #1, #7. FR met #1, breached #7; NR #1 met; resolution both met → overall 4/5 = 80 %.
      // FR times 1500, 2400 → median 1500, p90 2400.
      {
        key: 'alice',
        label: 'Alice',
        tickets: 2,
        ticketsBreached: 1,
        compliance: { firstResponse: c(1, 1, 0, 50), nextResponse: c(1, 0, 0, 100), resolution: c(2, 0, 0, 100), overall: c(4, 1, 0, 80) },
        firstResponseTime: { answered: 2, medianSeconds: 1500, p90Seconds: 2400 },
        breaches: breaches(1, 0, 0, 1),
        satisfaction: { count: 0, average: null },
        breachedTickets: [T7_BREACHED],
      },
      // bob = #3 (claimed after the reopen), #4. All met: FR 2, NR 2 (both #3's), resolution 2.
      // FR times 1200, 12600 → median 1200, p90 12600.
      {
        key: 'bob',
        label: 'Bob',
        tickets: 2,
        ticketsBreached: 0,
        compliance: { firstResponse: c(2, 0, 0, 100), nextResponse: c(2, 0, 0, 100), resolution: c(2, 0, 0, 100), overall: c(6, 0, 0, 100) },
        firstResponseTime: { answered: 2, medianSeconds: 1200, p90Seconds: 12600 },
        breaches: breaches(0, 0, 0, 0),
        satisfaction: { count: 0, average: null },
        breachedTickets: [],
      },
      // unassigned = #2 (bob replied but never claimed), #5, #6. FR breached #2 #5, pending #6;
      // NR #2 breached; resolution breached #2 #5, pending #6. FR time: #2's 1800 only.
      {
        key: 'unassigned',
        label: 'unassigned',
        tickets: 3,
        ticketsBreached: 2,
        compliance: { firstResponse: c(0, 2, 1, 0), nextResponse: c(0, 1, 0, 0), resolution: c(0, 2, 1, 0), overall: c(0, 5, 2, 0) },
        firstResponseTime: { answered: 1, medianSeconds: 1800, p90Seconds: 1800 },
        breaches: breaches(2, 1, 2, 5),
        satisfaction: { count: 0, average: null },
        breachedTickets: [T2_BREACHED, T5_BREACHED],
      },
    ]);
  });

  it('links: Slack permalinks with a workspace, Discord message links with a guild', async () => {
    const report = await reportJson('--slack-workspace', 'acme', '--discord-guild', '900000000000000001');
    const links = Object.fromEntries(report.groups.flatMap((g) => g.breachedTickets.map((t) => [t.id, t.link])));
    expect(links).toEqual({
      2: 'https://acme.slack.com/archives/C0ACME/p1772532000000100',
      5: 'https://discord.com/channels/900000000000000001/200000000000000003/1480000000000000000',
      7: 'shell:acme/m7',
    });
  });

  it('--since 30d: tickets opened in the 30 days before --at (#6 and #7 only)', async () => {
    const result = await runMain(['report', '--config', ws.config, '--store', ws.store, '--since', '30d', '--at', REPORT_AT, '--format', 'json']);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as ReportModel;
    // 2026-04-10T12:00Z − 30 days = 2026-03-11T12:00Z: #6 (Apr 10) and #7 (Apr 2) are in; #5 (Mar 9) is not.
    expect(report.period).toEqual({ from: '2026-03-11T12:00:00Z', to: '2026-04-10T12:00:00Z' });
    expect(report.totals.tickets).toBe(2);
    // #6 pending, #7 breached: FR 0/1; resolution #7 met, #6 pending: 1/1.
    expect(report.totals.compliance.firstResponse).toEqual(c(0, 1, 1, 0));
    expect(report.totals.compliance.resolution).toEqual(c(1, 0, 1, 100));
  });

  it('with no period, the last 30 days', async () => {
    const result = await runMain(['report', '--config', ws.config, '--store', ws.store, '--at', REPORT_AT, '--format', 'json']);
    expect((JSON.parse(result.out) as ReportModel).period).toEqual({ from: '2026-03-11T12:00:00Z', to: '2026-04-10T12:00:00Z' });
  });

  it('--from/--to dates are whole days in --timezone; months follow it too', async () => {
    // Berlin: March 1st 00:00 CET = Feb 28 23:00Z; "--to 2026-03-31" ends at April 1st 00:00 CEST = Mar 31 22:00Z.
    const report = await reportJson('--timezone', 'Europe/Berlin', '--from', '2026-03-01', '--to', '2026-03-31');
    expect(report.period).toEqual({ from: '2026-02-28T23:00:00Z', to: '2026-03-31T22:00:00Z' });
    expect(report.timezone).toBe('Europe/Berlin');
    // The later --from/--to win over periodArgs' (commander keeps the last): #1–#5 are March.
    expect(report.totals.tickets).toBe(5);
    expect(report.monthly.map((m) => `${m.month} ${m.customer} ${m.tickets}`)).toEqual(['2026-03 acme 3', '2026-03 globex 2']);
  });
});

describe('slawatch report: text formats', () => {
  async function report(...extra: string[]): Promise<string> {
    const result = await runMain(['report', '--config', ws.config, '--store', ws.store, ...periodArgs, ...extra]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    return result.out;
  }

  it('csv groups: a header, one row per group, then the (all) row', async () => {
    const lines = (await report('--format', 'csv')).split('\r\n');
    expect(lines).toEqual([
      'group_by,group,label,tickets,tickets_breached,' +
        'first_response_met,first_response_breached,first_response_pending,first_response_compliance_pct,' +
        'next_response_met,next_response_breached,next_response_pending,next_response_compliance_pct,' +
        'resolution_met,resolution_breached,resolution_pending,resolution_compliance_pct,' +
        'overall_met,overall_breached,overall_pending,overall_compliance_pct,' +
        'first_response_answered,first_response_median_seconds,first_response_p90_seconds,' +
        'breaches_first_response,breaches_next_response,breaches_resolution,breaches_total,ratings,rating_average',
      'tier,enterprise,enterprise,5,2,2,2,1,50,3,1,0,75,3,1,1,75,8,4,2,66.7,4,1500,2400,2,1,1,4,0,',
      // No next-response clocks: the percentage cell is empty.
      'tier,standard,standard,2,1,1,1,0,50,0,0,0,,1,1,0,50,2,2,0,50,1,12600,12600,1,0,1,2,0,',
      'tier,(all),all,7,3,3,3,1,50,3,1,0,75,4,2,1,66.7,10,6,2,62.5,5,1800,12600,3,1,2,6,0,',
    ]);
  });

  it('csv breaches: one row per breached clock', async () => {
    const lines = (await report('--format', 'csv', '--section', 'breaches')).split('\r\n');
    expect(lines).toEqual([
      'group_by,group,ticket,customer,tier,severity,assignee,state,opened_at,clock,cycle,breached_at,link',
      'tier,enterprise,2,acme,enterprise,urgent,,open,2026-03-03T10:00:00Z,first_response,,2026-03-03T10:15:00Z,https://slack.com/app_redirect?channel=C0ACME&message_ts=1772532000.000100',
      'tier,enterprise,2,acme,enterprise,urgent,,open,2026-03-03T10:00:00Z,next_response,1,2026-03-04T11:00:00Z,https://slack.com/app_redirect?channel=C0ACME&message_ts=1772532000.000100',
      'tier,enterprise,2,acme,enterprise,urgent,,open,2026-03-03T10:00:00Z,resolution,,2026-03-04T16:00:00Z,https://slack.com/app_redirect?channel=C0ACME&message_ts=1772532000.000100',
      'tier,enterprise,7,acme,enterprise,urgent,alice,resolved,2026-04-02T09:00:00Z,first_response,,2026-04-02T09:15:00Z,shell:acme/m7',
      'tier,standard,5,globex,standard,high,,open,2026-03-09T07:00:00Z,first_response,,2026-03-09T12:00:00Z,discord:200000000000000003/1480000000000000000',
      'tier,standard,5,globex,standard,high,,open,2026-03-09T07:00:00Z,resolution,,2026-03-16T16:00:00Z,discord:200000000000000003/1480000000000000000',
    ]);
  });

  it('csv monthly: month × customer', async () => {
    const lines = (await report('--format', 'csv', '--section', 'monthly')).split('\r\n');
    expect(lines[0]).toBe(
      'month,customer,customer_name,tickets,tickets_breached,breaches_first_response,breaches_next_response,breaches_resolution,breaches_total,' +
        'first_response_met,first_response_breached,first_response_pending,first_response_compliance_pct,' +
        'next_response_met,next_response_breached,next_response_pending,next_response_compliance_pct,' +
        'resolution_met,resolution_breached,resolution_pending,resolution_compliance_pct,' +
        'overall_met,overall_breached,overall_pending,overall_compliance_pct',
    );
    expect(lines.slice(1)).toEqual([
      '2026-03,acme,Acme Corp,3,1,1,1,1,3,2,1,0,66.7,3,1,0,75,2,1,0,66.7,7,3,0,70',
      '2026-03,globex,Globex,2,1,1,0,1,2,1,1,0,50,0,0,0,,1,1,0,50,2,2,0,50',
      '2026-04,acme,Acme Corp,2,1,1,0,0,1,0,1,1,0,0,0,0,,1,0,1,100,1,1,2,50',
    ]);
  });

  it('csv quotes cells with commas and quotes', () => {
    const model = { by: 'customer', monthly: [], groups: [], totals: { tickets: 0 } } as unknown as ReportModel;
    const withName: ReportModel = {
      ...model,
      monthly: [{ month: '2026-03', customer: 'acme', customerName: 'Acme, "the" Corp', tickets: 0, ticketsBreached: 0, breaches: breaches(0, 0, 0, 0), compliance: { firstResponse: c(0, 0, 0, null), nextResponse: c(0, 0, 0, null), resolution: c(0, 0, 0, null), overall: c(0, 0, 0, null) } }],
    };
    expect(renderCsv(withName, 'monthly').split('\r\n')[1]).toBe('2026-03,acme,"Acme, ""the"" Corp",0,0,0,0,0,0,0,0,0,,0,0,0,,0,0,0,,0,0,0,');
  });

  it('md: a groups table, the breached tickets with links, the monthly table and the definitions', async () => {
    const md = (await report('--format', 'md')).split('\n');
    expect(md[0]).toBe('# SLA report by tier');
    expect(md).toContain('| tier | tickets | first response | next response | resolution | FR median | FR p90 | breaches FR/NR/Res | rating (count) |');
    // FR median 1500 s = 25m, p90 2400 s = 40m; standard 12600 s = 3h 30m.
    expect(md).toContain('| enterprise | 5 | 50% (2/4) | 75% (3/4) | 75% (3/4) | 25m | 40m | 4 (2/1/1) | – |');
    expect(md).toContain('| standard | 2 | 50% (1/2) | — | 50% (1/2) | 3h 30m | 3h 30m | 2 (1/0/1) | – |');
    expect(md).toContain('| **all** | 7 | 50% (3/6) | 75% (3/4) | 66.7% (4/6) | 30m | 3h 30m | 6 (3/1/2) | – |');
    expect(md).toContain('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    expect(md).toContain('## Breached tickets');
    expect(md).toContain('|---|---|---|---|---|---|---|');
    expect(md).toContain(
      '| enterprise | #2 | acme | enterprise | urgent | first response 2026-03-03T10:15:00Z, next response #1 2026-03-04T11:00:00Z, resolution 2026-03-04T16:00:00Z | <https://slack.com/app_redirect?channel=C0ACME&message_ts=1772532000.000100> |',
    );
    expect(md).toContain('| standard | #5 | globex | standard | high | first response 2026-03-09T12:00:00Z, resolution 2026-03-16T16:00:00Z | `discord:200000000000000003/1480000000000000000` |');
    expect(md).toContain('## Breaches by customer and month (UTC)');
    expect(md).toContain('| 2026-04 | Acme Corp | 2 | 1 | 1 | 0 | 0 | 0% (0/1) | — | 100% (1/1) | 50% (1/2) |');
    expect(md).toContain('- Compliance = met / (met + breached) clocks at report time; running and paused clocks are pending and not counted. Next response counts every cycle.');
  });

  it('table: aligned columns, the breached tickets under their group, the monthly table', async () => {
    const lines = (await report()).split('\n');
    expect(lines[0]).toBe('SLA report by tier · tickets opened 2026-03-01T00:00:00Z – 2026-04-11T00:00:00Z · as of 2026-04-10T12:00:00Z');
    const header = lines[2] as string;
    expect(header).toMatch(/^tier\s+tickets\s+first response\s+next response\s+resolution\s+FR median\s+FR p90\s+breaches FR\/NR\/Res\s+rating \(count\)$/);
    expect(lines[3]).toMatch(/^enterprise\s+5\s+50% \(2\/4\)\s+75% \(3\/4\)\s+75% \(3\/4\)\s+25m\s+40m\s+4 \(2\/1\/1\)\s+–$/);
    expect(lines[4]).toMatch(/^standard\s+2\s+50% \(1\/2\)\s+—\s+50% \(1\/2\)\s+3h 30m\s+3h 30m\s+2 \(1\/0\/1\)\s+–$/);
    expect(lines[5]).toMatch(/^all\s+7\s+50% \(3\/6\)/);
    // Every row is as wide as the header (right-aligned figures end in the same column).
    expect(new Set(lines.slice(2, 6).map((l) => l.length)).size).toBe(1);
    expect(lines).toContain('  tier enterprise:');
    expect(lines).toContain('    #7  acme  enterprise/urgent  first response 2026-04-02T09:15:00Z  shell:acme/m7');
    expect(lines).toContain('Breaches by customer and month (UTC)');
    expect(lines.some((l) => /^2026-03\s+Globex\s+2\s+1\s+1\s+0\s+1\s+50% \(1\/2\)\s+—\s+50% \(1\/2\)\s+50% \(2\/4\)$/.test(l))).toBe(true);
  });
});

describe('slawatch report --locale', () => {
  async function report(...extra: string[]): Promise<string> {
    const result = await runMain(['report', '--config', ws.config, '--store', ws.store, ...periodArgs, ...extra]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    return result.out;
  }

  it('zh-CN: the table and Markdown headings, the words and the lengths of time in Chinese; the figures the same', async () => {
    const lines = (await report('--locale', 'zh-CN')).split('\n');
    expect(lines[0]).toBe('按服务等级统计的 SLA 报告 · 2026-03-01T00:00:00Z – 2026-04-11T00:00:00Z 创建的工单 · 截至 2026-04-10T12:00:00Z');
    expect(lines[2]).toMatch(/^服务等级\s+工单\s+首次响应\s+下次响应\s+解决\s+首响中位数\s+首响 p90\s+超时 首响\/下次\/解决\s+评分（数量）$/);
    expect(lines[3]).toMatch(/^enterprise\s+5\s+50% \(2\/4\)\s+75% \(3\/4\)\s+75% \(3\/4\)\s+25分钟\s+40分钟\s+4 \(2\/1\/1\)\s+–$/);
    expect(lines).toContain('超时的工单');
    expect(lines).toContain('    #7  acme  enterprise/urgent  首次响应 2026-04-02T09:15:00Z  shell:acme/m7');
    expect(lines).toContain('达标率 = 报告时 达成 /（达成 + 超时）的计时；进行中和暂停的计时为待定，不计入。下次响应的每一轮都计入。');
    const md = (await report('--format', 'md', '--locale', 'zh-CN')).split('\n');
    expect(md[0]).toBe('# 按服务等级统计的 SLA 报告');
    expect(md).toContain('## 按客户和月份统计的超时（UTC）');
    expect(md).toContain('| **全部** | 7 | 50% (3/6) | 75% (3/4) | 66.7% (4/6) | 30分钟 | 3小时30分钟 | 6 (3/1/2) | – |');
  });

  it('CSV and JSON are the same in every language', async () => {
    expect(await report('--format', 'csv', '--locale', 'zh-CN')).toBe(await report('--format', 'csv'));
    expect(await report('--format', 'json', '--locale', 'zh-CN', '--at', REPORT_AT)).toBe(await report('--format', 'json', '--at', REPORT_AT));
  });

  it('refuses a locale without a catalogue', async () => {
    const result = await runMain(['report', '--config', ws.config, '--store', ws.store, '--locale', 'fr']);
    expect(result.code).not.toBe(0);
    expect(result.err).toMatch(/--locale.*fr.*en, zh-CN/);
  });
});

describe('slawatch report: problems', () => {
  it('--since with --from is a usage error (exit 2)', async () => {
    const result = await runMain(['report', '--config', ws.config, '--store', ws.store, '--since', '30d', '--from', '2026-03-01']);
    expect(result.code).toBe(2);
    expect(result.err).toBe('slawatch: --since cannot be combined with --from/--to');
  });

  it('a store file that does not exist is an error, not an empty report', async () => {
    const result = await runMain(['report', '--config', ws.config, '--store', `${ws.dir}/nope.sqlite`]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^slawatch: no ticket store at .*nope\.sqlite/);
  });

  it('an unknown --by is refused', async () => {
    const result = await runMain(['report', '--config', ws.config, '--store', ws.store, '--by', 'planet']);
    expect(result.code).not.toBe(0);
    expect(result.err).toMatch(/--by.*planet/);
  });

  it('a malformed Discord guild id is refused', async () => {
    const result = await runMain(['report', '--config', ws.config, '--store', ws.store, '--discord-guild', 'acme']);
    expect(result.code).toBe(2);
    expect(result.err).toBe('slawatch: Discord guild "acme" is not a Discord id (digits only)');
  });
});

describe('buildReport (pure)', () => {
  it('streams a store listing and gives the same figures as the CLI', async () => {
    const store = openMemoryStore();
    for (const ticket of TICKETS) await store.create(ticket);
    const model = await buildReport(config, store.listAll(), { by: 'tier', from: ms('2026-03-01T00:00:00Z'), to: ms('2026-04-11T00:00:00Z'), at: ms(REPORT_AT), timezone: 'UTC' });
    expect(model.totals).toEqual(TOTALS);
    expect(model.groups.map((g) => g.key)).toEqual(['enterprise', 'standard']);
  });

  it('leaves out tickets opened after the report instant', async () => {
    // At 2026-04-02T09:10Z, #6 (April 10th) did not exist yet; #7 was 10 min old, FR running.
    const model = await buildReport(config, TICKETS, { by: 'tier', from: ms('2026-04-01T00:00:00Z'), to: null, at: ms('2026-04-02T09:10:00Z'), timezone: 'UTC' });
    expect(model.totals.tickets).toBe(1);
    expect(model.totals.compliance.firstResponse).toEqual(c(0, 0, 1, null));
  });
});

describe('pieces', () => {
  it('nearest-rank percentiles: the smallest value with at least p % of the sample at or below it', () => {
    const upTo = (n: number) => Float64Array.from({ length: n }, (_, i) => i + 1);
    // 1..10: median rank ceil(5) = 5 → 5; p90 rank ceil(9) = 9 → 9.
    expect(nearestRank(upTo(10), 50)).toBe(5);
    expect(nearestRank(upTo(10), 90)).toBe(9);
    // 1..30: p90 rank 27 (0.9 × 30 in floating point is 27.000000000000004, whose ceiling would be 28).
    expect(nearestRank(upTo(30), 90)).toBe(27);
    // 1..3: median rank ceil(1.5) = 2 → 2; p90 rank ceil(2.7) = 3 → 3.
    expect(nearestRank(upTo(3), 50)).toBe(2);
    expect(nearestRank(upTo(3), 90)).toBe(3);
    expect(nearestRank(new Float64Array(0), 50)).toBeNull();
  });

  it('thread links per platform', () => {
    const slack = { platform: 'slack' as const, channelId: 'C0ACME', threadId: '1772532000.000100' };
    expect(threadLink(slack)).toBe('https://slack.com/app_redirect?channel=C0ACME&message_ts=1772532000.000100');
    expect(threadLink(slack, { slackWorkspace: 'acme' })).toBe('https://acme.slack.com/archives/C0ACME/p1772532000000100');
    expect(threadLink(slack, { slackWorkspace: 'acme.enterprise.slack.com' })).toBe('https://acme.enterprise.slack.com/archives/C0ACME/p1772532000000100');
    const discord = { platform: 'discord' as const, channelId: '200', threadId: '300' };
    expect(threadLink(discord)).toBe('discord:200/300');
    expect(threadLink(discord, { discordGuild: '100' })).toBe('https://discord.com/channels/100/200/300');
    expect(threadLink({ platform: 'lark', channelId: 'oc_acme', threadId: 'om_1' })).toBe('lark:oc_acme/om_1');
    expect(threadLink({ platform: 'shell', channelId: 'acme', threadId: 'm 1' })).toBe('shell:acme/m%201');
  });

  it('periods: --since, dates as whole local days, instants as given', () => {
    const at = ms('2026-04-10T12:00:00Z');
    const none = { from: null, to: null };
    expect(resolvePeriod({}, at, 'UTC', none)).toEqual(none);
    expect(resolvePeriod({ since: '2w' }, at, 'UTC', none)).toEqual({ from: ms('2026-03-27T12:00:00Z'), to: at });
    expect(resolvePeriod({ from: '2026-03-01T09:00:00+01:00' }, at, 'UTC', none)).toEqual({ from: ms('2026-03-01T08:00:00Z'), to: at });
    expect(resolvePeriod({ to: '2026-03-31' }, at, 'America/New_York', none)).toEqual({ from: null, to: ms('2026-04-01T04:00:00Z') });
    expect(() => resolvePeriod({ from: '2026-03-05', to: '2026-03-01' }, at, 'UTC', none)).toThrow('--to must be after --from');
    expect(() => resolvePeriod({ from: 'March' }, at, 'UTC', none)).toThrow(/--from: expected a date/);
    expect(() => resolvePeriod({ since: 'a month' }, at, 'UTC', none)).toThrow(/--since: expected a duration/);
    expect(() => resolvePeriod({}, at, 'Mars/Olympus', none)).toThrow('unknown time zone "Mars/Olympus"');
  });
});
