/**
 * Deadline scheduling at the open-ticket scale: 100,000 tickets × 4 SLA clocks = 400,000 instants.
 *
 * 1. DeadlineQueue (indexed binary heap): insert / move / cancel ns/op, popDue throughput, memory.
 * 2. The naive design — one node-schedule `scheduleJob(date, fn)` per deadline — at sizes it can
 *    finish in a few seconds each, against the heap at the same size (ratio naive/heap).
 * 3. DeadlineTimer on real timers: delay from an entry's instant to onDue receiving it.
 *
 * Run: `npm run build --silent && node --expose-gc dist/bench/run.js scheduler`.
 */
import schedule from 'node-schedule';
import type { Job } from 'node-schedule';
import { DeadlineQueue } from '../src/scheduler/deadline-queue.js';
import { DeadlineTimer, realTimers } from '../src/scheduler/deadline-timer.js';
import { rng } from '../testkit/random.js';
import type { BenchFigure } from './run.js';
import { gc, percentile } from './support.js';

const TICKETS = 100_000;
const CLOCKS = ['first_response', 'next_response', 'resolution', 'customer_update'] as const;
const ENTRIES = TICKETS * CLOCKS.length;
const HORIZON_MS = 30 * 86_400_000;
/**
 * node-schedule sizes. Its scheduleJob insertion-sorts into one array from the end, calling a
 * comparator that reads each job's luxon-backed fire date: O(n) pointer-chasing per insert, which
 * degrades further once those objects outgrow the CPU caches. Measured on the dev box: 10,000 jobs
 * take 2–10 s, 15,000 about 13 s, 20,000 about 32 s — so the default stops at 15,000; override with
 * e.g. SCHED_BENCH_NAIVE_SIZES=5000,10000,20000. A later size is skipped once the earlier ones
 * used up NAIVE_BUDGET_MS, to keep the whole bench under a minute on a slow machine.
 */
const NAIVE_SIZES = (process.env.SCHED_BENCH_NAIVE_SIZES ?? '5000,10000,15000')
  .split(',')
  .map((s) => Number.parseInt(s, 10))
  .filter((n) => Number.isInteger(n) && n > 0);
const NAIVE_BUDGET_MS = 12_000;
const HEAP_REPEATS = 5;
const DELAY_ENTRIES = 2_000;
const DELAY_WINDOW_MS = 3_000;

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const tmp = items[i]!;
    items[i] = items[j]!;
    items[j] = tmp;
  }
  return items;
}

function ticketKeys(count: number, random: () => number): string[] {
  const keys: string[] = [];
  for (let t = 0; keys.length < count; t++) {
    const ticket = `TCK-${String(t).padStart(6, '0')}`;
    for (const clock of CLOCKS) if (keys.length < count) keys.push(`${ticket}:${clock}`);
  }
  return shuffle(keys, random);
}

function instants(count: number, from: number, random: () => number): Float64Array {
  const ats = new Float64Array(count);
  for (let i = 0; i < count; i++) ats[i] = Math.round(from + random() * HORIZON_MS);
  return ats;
}

const MB = 1024 * 1024;
const elapsedNs = (start: bigint): number => Number(process.hrtime.bigint() - start);

interface OpCost {
  insertNs: number;
  cancelNs: number;
}

/** Heap: insert `keys` then cancel all of them in another random order. */
function heapInsertCancel(keys: string[], ats: Float64Array, cancelOrder: string[]): OpCost {
  const queue = new DeadlineQueue();
  let start = process.hrtime.bigint();
  for (let i = 0; i < keys.length; i++) queue.set(keys[i]!, ats[i]!);
  const insertNs = elapsedNs(start) / keys.length;
  start = process.hrtime.bigint();
  for (const key of cancelOrder) queue.delete(key);
  const cancelNs = elapsedNs(start) / cancelOrder.length;
  if (queue.size !== 0) throw new Error('heap cancel left entries behind');
  return { insertNs, cancelNs };
}

/** node-schedule: one job per deadline, then `job.cancel()` for all of them in another random order. */
function naiveInsertCancel(keys: string[], ats: Float64Array, random: () => number): OpCost {
  const dates = Array.from(ats, (at) => new Date(at));
  const jobs: Job[] = [];
  const noop = (): void => {};
  let start = process.hrtime.bigint();
  try {
    for (const date of dates) {
      const job = schedule.scheduleJob(date, noop);
      if (job) jobs.push(job);
    }
  } finally {
    // Whatever happens, leave nothing armed: the process must be able to exit.
    if (jobs.length !== dates.length) for (const job of jobs) job.cancel();
  }
  if (jobs.length !== dates.length) throw new Error(`node-schedule dropped ${dates.length - jobs.length} jobs`);
  const insertNs = elapsedNs(start) / jobs.length;
  shuffle(jobs, random);
  start = process.hrtime.bigint();
  for (const job of jobs) job.cancel();
  const cancelNs = elapsedNs(start) / jobs.length;
  return { insertNs, cancelNs };
}

async function dueDelay(random: () => number): Promise<number[]> {
  const queue = new DeadlineQueue();
  const lags: number[] = [];
  let resolveAll!: () => void;
  const allDelivered = new Promise<void>((resolve) => (resolveAll = resolve));
  const timer = new DeadlineTimer(queue, (due) => {
    const now = realTimers.now();
    for (const { at } of due) lags.push(now - at);
    if (lags.length >= DELAY_ENTRIES) resolveAll();
  });
  timer.start();
  const from = realTimers.now() + 100;
  for (let i = 0; i < DELAY_ENTRIES; i++) timer.schedule(`delay-${i}`, Math.round(from + random() * DELAY_WINDOW_MS));
  const watchdog = setTimeout(() => resolveAll(), DELAY_WINDOW_MS + 10_000);
  await allDelivered;
  clearTimeout(watchdog);
  timer.stop();
  if (lags.length !== DELAY_ENTRIES) throw new Error(`only ${lags.length}/${DELAY_ENTRIES} entries were delivered`);
  return lags.sort((a, b) => a - b);
}

export async function bench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  const random = rng(0x51a);
  const now = Date.now();
  const from = now + 60_000;

  const benchStart = performance.now();

  // --- 1. DeadlineQueue at 400,000 entries -------------------------------------------------
  gc();
  const base = process.memoryUsage();
  const keys = ticketKeys(ENTRIES, random);
  const ats = instants(ENTRIES, from, random);
  gc();
  const withInputs = process.memoryUsage();

  // Warm-up on a small queue so the measured loop runs optimised code.
  heapInsertCancel(keys.slice(0, 20_000), ats.subarray(0, 20_000), keys.slice(0, 20_000));

  const queue = new DeadlineQueue();
  let start = process.hrtime.bigint();
  for (let i = 0; i < ENTRIES; i++) queue.set(keys[i]!, ats[i]!);
  const insertNs = elapsedNs(start) / ENTRIES;
  gc();
  const built = process.memoryUsage();
  figures.push(
    { name: `heap insert (${ENTRIES.toLocaleString('en')} entries, random order)`, value: insertNs, unit: 'ns/op' },
    { name: 'heap heapUsed after building (incl. key strings)', value: built.heapUsed / MB, unit: 'MB' },
    { name: 'heap RSS after building', value: built.rss / MB, unit: 'MB' },
    {
      name: 'heap queue structure alone (heapUsed + arrayBuffers delta)',
      value: (built.heapUsed + built.arrayBuffers - withInputs.heapUsed - withInputs.arrayBuffers) / MB,
      unit: 'MB',
      note: `key strings + instants for the inputs: ${((withInputs.heapUsed + withInputs.arrayBuffers - base.heapUsed - base.arrayBuffers) / MB).toFixed(1)} MB`,
    },
  );

  // Floor for comparison: the key → slot Map alone (every insert needs one Map insert).
  {
    const bare = new Map<string, number>();
    const mapStart = process.hrtime.bigint();
    for (let i = 0; i < ENTRIES; i++) bare.set(keys[i]!, i);
    figures.push({ name: 'reference: bare Map<string, number>.set, 400k new keys', value: elapsedNs(mapStart) / ENTRIES, unit: 'ns/op' });
  }

  const MOVES = 100_000;
  const moveKeys = Array.from({ length: MOVES }, () => keys[Math.floor(random() * ENTRIES)]!);
  const moveAts = instants(MOVES, from, random);
  start = process.hrtime.bigint();
  for (let i = 0; i < MOVES; i++) queue.set(moveKeys[i]!, moveAts[i]!);
  figures.push({ name: `heap move existing key (${MOVES.toLocaleString('en')} moves at 400k)`, value: elapsedNs(start) / MOVES, unit: 'ns/op' });

  const CANCELS = 100_000;
  const cancelKeys = shuffle(keys.slice(), random).slice(0, CANCELS);
  start = process.hrtime.bigint();
  for (const key of cancelKeys) queue.delete(key);
  figures.push({ name: `heap cancel (${CANCELS.toLocaleString('en')} random keys from 400k)`, value: elapsedNs(start) / CANCELS, unit: 'ns/op' });
  queue.clear();

  for (let i = 0; i < ENTRIES; i++) queue.set(keys[i]!, ats[i]!);
  const STEPS = 1_000;
  let popped = 0;
  start = process.hrtime.bigint();
  for (let step = 1; step <= STEPS; step++) popped += queue.popDue(from + (HORIZON_MS * step) / STEPS).length;
  const popNs = elapsedNs(start);
  if (popped !== ENTRIES || queue.size !== 0) throw new Error(`popDue drained ${popped}/${ENTRIES}`);
  figures.push(
    { name: `heap popDue throughput (400k drained in ${STEPS} steps)`, value: Math.round(ENTRIES / (popNs / 1e9)), unit: 'entries/s' },
    { name: 'heap popDue per entry', value: popNs / ENTRIES, unit: 'ns/op' },
  );

  // --- 2. node-schedule, one job per deadline, vs the heap at the same size ------------------
  let naiveMs = 0;
  try {
    for (const size of NAIVE_SIZES) {
      if (naiveMs > NAIVE_BUDGET_MS) {
        figures.push({ name: `node-schedule at ${size.toLocaleString('en')}`, value: Number.NaN, unit: '', note: 'skipped: time budget spent' });
        continue;
      }
      const naiveKeys = keys.slice(0, size);
      const naiveAts = instants(size, Date.now() + 3_600_000, random);
      const cancelOrder = shuffle(naiveKeys.slice(), random);
      gc();
      const stepStart = performance.now();
      const naive = naiveInsertCancel(naiveKeys, naiveAts, random);
      const stepMs = performance.now() - stepStart;
      naiveMs += stepMs;
      // The heap is fast enough at these sizes for timer noise to matter: median of a few runs.
      gc();
      const runs = Array.from({ length: HEAP_REPEATS }, () => heapInsertCancel(naiveKeys, naiveAts, cancelOrder));
      const median = (values: number[]): number => values.sort((a, b) => a - b)[values.length >> 1]!;
      const heap: OpCost = { insertNs: median(runs.map((r) => r.insertNs)), cancelNs: median(runs.map((r) => r.cancelNs)) };
      const n = size.toLocaleString('en');
      figures.push(
        { name: `node-schedule scheduleJob (${n} jobs)`, value: naive.insertNs, unit: 'ns/op' },
        { name: `node-schedule job.cancel (${n} jobs, random order)`, value: naive.cancelNs, unit: 'ns/op' },
        { name: `heap insert at ${n}`, value: heap.insertNs, unit: 'ns/op', note: `median of ${HEAP_REPEATS}` },
        { name: `heap cancel at ${n}`, value: heap.cancelNs, unit: 'ns/op', note: `median of ${HEAP_REPEATS}` },
        { name: `ratio naive/heap insert at ${n}`, value: naive.insertNs / heap.insertNs, unit: 'x' },
        { name: `ratio naive/heap cancel at ${n}`, value: naive.cancelNs / heap.cancelNs, unit: 'x' },
        { name: `node-schedule wall time insert+cancel ${n}`, value: stepMs / 1000, unit: 's' },
      );
    }
  } finally {
    for (const job of Object.values(schedule.scheduledJobs)) job.cancel();
  }

  // --- 3. Real-timer delay from due instant to onDue ------------------------------------------
  const lags = await dueDelay(random);
  figures.push(
    { name: `due→onDue delay p50 (${DELAY_ENTRIES} entries over ${DELAY_WINDOW_MS / 1000} s)`, value: percentile(lags, 50), unit: 'ms' },
    { name: 'due→onDue delay p99', value: percentile(lags, 99), unit: 'ms' },
    { name: 'due→onDue delay max', value: lags[lags.length - 1]!, unit: 'ms' },
    { name: 'due→onDue delay min (never negative = never early)', value: lags[0]!, unit: 'ms' },
    { name: 'whole scheduler bench wall time', value: (performance.now() - benchStart) / 1000, unit: 's' },
  );
  return figures;
}
