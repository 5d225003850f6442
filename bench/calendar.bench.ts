/**
 * Deadline computations per second on a business calendar: Mon–Fri 09:00–17:00
 * Europe/Berlin with a lunch break and DE public holidays, random starts over 2026.
 *
 * "warm" reuses one calendar, so its per-day interval cache is full; "cold"
 * builds a new calendar object for every deadline, so every day it touches is
 * computed afresh. Zone offset tables and holiday years are shared facts (module
 * caches), filled by the one-off "first use" figure.
 */
import type { BenchFigure } from './run.js';
import { businessCalendar, type WorkingCalendar } from '../src/sla/calendar.js';
import type { CalendarSpec } from '../src/config/schema.js';

const HOUR = 3_600_000;
const OFFICE = ['09:00-12:00', '13:00-17:00'];
const SPEC: CalendarSpec = {
  timezone: 'Europe/Berlin',
  hours: { mon: OFFICE, tue: OFFICE, wed: OFFICE, thu: OFFICE, fri: OFFICE },
  holidays: { dates: [], country: 'DE' },
};
const YEAR_START = Date.UTC(2026, 0, 1);
const YEAR_MS = Date.UTC(2027, 0, 1) - YEAR_START;
const TARGETS = [
  { label: '15 min', ms: 15 * 60_000 },
  { label: '30 working days (240h)', ms: 30 * 8 * HOUR },
];
/** Time each figure for about this long. */
const BUDGET_MS = 1_000;

/** A small seeded PRNG (mulberry32) so runs are comparable. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const next = random(2026);
const STARTS = Array.from({ length: 4096 }, () => YEAR_START + Math.floor(next() * YEAR_MS));

let sink = 0; // keeps results observable so the work cannot be optimised away

/** Runs `once(i)` in batches for about BUDGET_MS and returns calls per second. */
function perSecond(once: (i: number) => number): number {
  let calls = 0;
  const began = performance.now();
  let elapsed = 0;
  while (elapsed < BUDGET_MS) {
    for (let j = 0; j < 256; j++, calls++) sink += once(calls % STARTS.length);
    elapsed = performance.now() - began;
  }
  return Math.round((calls / elapsed) * 1000);
}

export async function bench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];

  // Before anything else in this process: loads the DE holiday rules and tabulates the zone.
  const began = performance.now();
  sink += businessCalendar('first', SPEC).addWorkingTime(STARTS[0]!, 15 * 60_000);
  figures.push({ name: 'first deadline in the process', value: performance.now() - began, unit: 'ms', note: 'loads DE holidays, zone table' });

  for (const { label, ms } of TARGETS) {
    const warm: WorkingCalendar = businessCalendar('warm', SPEC);
    for (const start of STARTS) sink += warm.addWorkingTime(start, ms); // fill caches, incl. 2027 holidays
    figures.push({ name: `deadline, ${label}, warm cache`, value: perSecond((i) => warm.addWorkingTime(STARTS[i]!, ms)), unit: 'ops/s' });
    figures.push({
      name: `deadline, ${label}, cold cache (new calendar each)`,
      value: perSecond((i) => businessCalendar('cold', SPEC).addWorkingTime(STARTS[i]!, ms)),
      unit: 'ops/s',
    });
  }
  if (sink === 42) process.stdout.write(''); // never true; reads sink
  return figures;
}
