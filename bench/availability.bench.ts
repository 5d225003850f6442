/**
 * A month's availability statement for 10,000 customers and 1,000 incidents
 * (with impact changes) plus 50 maintenance windows: the arithmetic
 * `slawatch availability` and the monthly statement run. Customers are spread
 * over 8 zones, 40 regions and 3 tiers; incidents are scoped to everyone, a
 * region, a tier or a few customers.
 *
 * "mixed scopes" lets customers with the same zone, incidents and windows
 * share one computation, as real fleets do; "every customer different"
 * scopes most incidents to twenty named customers, so nearly every customer
 * has its own set and its own unions. The log is parsed from JSON Lines once
 * for the parse figure, as the command does.
 */
import type { BenchFigure } from './run.js';
import { gc, percentile } from './support.js';
import { rng } from '../testkit/random.js';
import { incidentLogText, parseIncidentLog, type IncidentEvent, type Scope } from '../src/availability/incident-log.js';
import { monthStatement, type CustomerTerms } from '../src/availability/statement.js';

const CUSTOMERS = 10_000;
const INCIDENTS = 1_000;
const WINDOWS = 50;
const ZONES = ['UTC', 'Europe/Berlin', 'Europe/London', 'America/Los_Angeles', 'America/New_York', 'Asia/Shanghai', 'Asia/Tokyo', 'Australia/Sydney'];
const TIERS = ['standard', 'priority', 'enterprise'];
const REGIONS = Array.from({ length: 40 }, (_, i) => `region-${i}`);
const MONTH = '2026-03';
const MONTH_START = Date.parse('2026-02-27T00:00:00Z'); // a little before, so some incidents span the edge
const SPAN = 34 * 86_400_000;
const AT = Date.parse('2026-04-02T00:00:00Z');
const BANDS = [
  { below: 99.9, percent: 10 },
  { below: 99, percent: 25 },
  { below: 95, percent: 100 },
];
const RUNS = 7;

function customers(next: () => number): CustomerTerms[] {
  return Array.from({ length: CUSTOMERS }, (_, i) => ({
    id: `customer-${String(i).padStart(5, '0')}`,
    tier: TIERS[Math.floor(next() * TIERS.length)] as string,
    region: REGIONS[Math.floor(next() * REGIONS.length)] as string,
    timezone: ZONES[Math.floor(next() * ZONES.length)] as string,
    target: 99.9,
    credits: BANDS,
    fee: next() < 0.7 ? { amount: 100 + Math.floor(next() * 10_000), currency: 'USD' } : null,
  }));
}

function log(next: () => number, people: readonly CustomerTerms[], named: number): IncidentEvent[] {
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)] as T;
  const scope = (): Scope => {
    const roll = next();
    if (roll < named) return { customers: Array.from({ length: 20 }, () => pick(people).id) };
    if (roll < named + (1 - named) * 0.02) return 'all';
    if (roll < named + (1 - named) * 0.12) return { tiers: [pick(TIERS)] };
    return { regions: [pick(REGIONS), pick(REGIONS)] };
  };
  const events: IncidentEvent[] = [];
  for (let i = 0; i < INCIDENTS; i++) {
    const incident = `inc-${i}`;
    let at = MONTH_START + Math.floor(next() * SPAN);
    events.push({ at, type: 'incident_opened', incident, title: `Incident ${i}`, impact: next() < 0.7 ? 'outage' : 'degraded', scope: scope() });
    for (let u = Math.floor(next() * 3); u > 0; u--) {
      at += Math.floor(next() * 1_200_000);
      events.push({ at, type: 'incident_updated', incident, impact: next() < 0.5 ? 'outage' : 'degraded', message: 'update' });
    }
    if (next() < 0.97) events.push({ at: at + Math.floor(next() * 3_600_000), type: 'incident_resolved', incident });
  }
  for (let w = 0; w < WINDOWS; w++) {
    const from = MONTH_START + Math.floor(next() * SPAN);
    events.push({ at: from - Math.floor(next() * 96) * 3_600_000, type: 'maintenance', maintenance: `mw-${w}`, from, to: from + (1 + Math.floor(next() * 4)) * 3_600_000, scope: scope() });
  }
  return events;
}

/**
 * Median and p90 wall-clock milliseconds of `RUNS` statements, and the median CPU time (this
 * process, all threads: on a busy machine wall time also counts waiting for a core).
 */
function time(people: readonly CustomerTerms[], events: readonly IncidentEvent[]): { median: number; p90: number; cpu: number } {
  const ms: number[] = [];
  const cpu: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    gc();
    const began = performance.now();
    const cpuBefore = process.cpuUsage();
    const statement = monthStatement(people, events, { month: MONTH, at: AT, maintenanceNoticeMs: 48 * 3_600_000 });
    const used = process.cpuUsage(cpuBefore);
    ms.push(performance.now() - began);
    cpu.push((used.user + used.system) / 1000);
    if (statement.customers.length !== people.length) throw new Error('a customer is missing from the statement');
  }
  ms.sort((a, b) => a - b);
  cpu.sort((a, b) => a - b);
  return { median: percentile(ms, 50), p90: percentile(ms, 90), cpu: percentile(cpu, 50) };
}

export async function bench(): Promise<BenchFigure[]> {
  const next = rng(2026);
  const people = customers(next);
  const figures: BenchFigure[] = [];

  const mixed = log(next, people, 0.3);
  const text = incidentLogText(mixed);
  gc();
  const parseBegan = performance.now();
  const parsed = parseIncidentLog(text);
  figures.push({ name: `parse the log (${parsed.length} lines)`, value: performance.now() - parseBegan, unit: 'ms' });

  const shared = time(people, parsed);
  figures.push({ name: 'month, 10,000 customers × 1,000 incidents, mixed scopes', value: shared.median, unit: 'ms', note: `median of ${RUNS}; p90 ${shared.p90.toFixed(0)} ms; CPU ${shared.cpu.toFixed(0)} ms` });

  const distinct = time(people, log(next, people, 0.6));
  figures.push({ name: 'month, 10,000 customers × 1,000 incidents, every customer different', value: distinct.median, unit: 'ms', note: `median of ${RUNS}; p90 ${distinct.p90.toFixed(0)} ms; CPU ${distinct.cpu.toFixed(0)} ms` });
  return figures;
}
