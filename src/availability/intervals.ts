/**
 * Half-open intervals [from, to) of epoch milliseconds, and the few set
 * operations the availability arithmetic needs. A "set" is an array of
 * intervals sorted by start, none empty, none touching or overlapping
 * another (what `union` returns); the operations keep that shape.
 */
export interface Interval {
  from: number;
  to: number;
}

/** The union of any intervals, as a set: sorted, merged, empty ones dropped. */
export function union(intervals: readonly Interval[]): Interval[] {
  const sorted = intervals.filter((i) => i.to > i.from).sort((a, b) => a.from - b.from);
  const out: Interval[] = [];
  for (const next of sorted) {
    const last = out[out.length - 1];
    if (last && next.from <= last.to) {
      if (next.to > last.to) last.to = next.to;
    } else {
      out.push({ from: next.from, to: next.to });
    }
  }
  return out;
}

/** The union of two sets, in one pass (no sort). */
export function merge(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  if (a.length === 0) return [...b];
  if (b.length === 0) return [...a];
  const out: Interval[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const next = j >= b.length || (i < a.length && (a[i] as Interval).from <= (b[j] as Interval).from) ? (a[i++] as Interval) : (b[j++] as Interval);
    const last = out[out.length - 1];
    if (last && next.from <= last.to) {
      if (next.to > last.to) last.to = next.to;
    } else {
      out.push({ from: next.from, to: next.to });
    }
  }
  return out;
}

/** The parts of a set inside [from, to). */
export function clip(set: readonly Interval[], from: number, to: number): Interval[] {
  const out: Interval[] = [];
  for (const i of set) {
    if (i.to <= from) continue;
    if (i.from >= to) break;
    out.push({ from: Math.max(i.from, from), to: Math.min(i.to, to) });
  }
  return out;
}

/** The parts of set `a` not covered by set `b`. */
export function subtract(a: readonly Interval[], b: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let j = 0;
  for (const i of a) {
    let from = i.from;
    while (j < b.length && (b[j] as Interval).to <= from) j++;
    let k = j;
    while (k < b.length && (b[k] as Interval).from < i.to) {
      const cut = b[k] as Interval;
      if (cut.from > from) out.push({ from, to: cut.from });
      from = Math.max(from, cut.to);
      k++;
    }
    if (from < i.to) out.push({ from, to: i.to });
  }
  return out;
}

/** Total length of a set (ms). */
export function length(set: readonly Interval[]): number {
  let total = 0;
  for (const i of set) total += i.to - i.from;
  return total;
}
