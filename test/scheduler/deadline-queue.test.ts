import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeadlineQueue, type DeadlineEntry } from '../../src/scheduler/deadline-queue.js';

/** Reference model: a plain list, sorted on demand by (at, last-set sequence). */
class ReferenceQueue {
  private readonly entries = new Map<string, { at: number; seq: number }>();
  private seq = 0;
  set(key: string, at: number): void {
    this.entries.delete(key);
    this.entries.set(key, { at, seq: this.seq++ });
  }
  delete(key: string): boolean {
    return this.entries.delete(key);
  }
  get(key: string): number | undefined {
    return this.entries.get(key)?.at;
  }
  get size(): number {
    return this.entries.size;
  }
  sorted(): DeadlineEntry[] {
    return [...this.entries]
      .sort(([, a], [, b]) => a.at - b.at || a.seq - b.seq)
      .map(([key, { at }]) => ({ key, at }));
  }
  popDue(now: number): DeadlineEntry[] {
    const due = this.sorted().filter((e) => e.at <= now);
    for (const e of due) this.entries.delete(e.key);
    return due;
  }
}

type Op =
  | { kind: 'set'; key: string; at: number }
  | { kind: 'delete'; key: string }
  | { kind: 'popDue'; now: number };

function opArb(keySpace: number, popWeight: number): fc.Arbitrary<Op> {
  const keyArb = fc.integer({ min: 0, max: keySpace - 1 }).map((i) => `t${i}`);
  const atArb = fc.integer({ min: 0, max: 100 });
  return fc.oneof(
    { weight: 50, arbitrary: fc.record({ kind: fc.constant('set' as const), key: keyArb, at: atArb }) },
    { weight: 20, arbitrary: fc.record({ kind: fc.constant('delete' as const), key: keyArb }) },
    { weight: popWeight, arbitrary: fc.record({ kind: fc.constant('popDue' as const), now: atArb }) },
  );
}

function checkAgainstModel(ops: Op[]): void {
  const q = new DeadlineQueue();
  const ref = new ReferenceQueue();
  for (const op of ops) {
    switch (op.kind) {
      case 'set':
        q.set(op.key, op.at);
        ref.set(op.key, op.at);
        break;
      case 'delete':
        expect(q.delete(op.key)).toBe(ref.delete(op.key));
        break;
      case 'popDue':
        expect(q.popDue(op.now)).toEqual(ref.popDue(op.now));
        break;
    }
    expect(q.size).toBe(ref.size);
    expect(q.peek()).toEqual(ref.sorted()[0]);
  }
  for (const { key, at } of ref.sorted()) {
    expect(q.has(key)).toBe(true);
    expect(q.get(key)).toBe(at);
  }
  expect(drain(q)).toEqual(ref.sorted());
}

function drain(q: DeadlineQueue): DeadlineEntry[] {
  return q.popDue(Number.MAX_VALUE);
}

describe('DeadlineQueue', () => {
  it('is empty when new', () => {
    const q = new DeadlineQueue();
    expect(q.size).toBe(0);
    expect(q.peek()).toBeUndefined();
    expect(q.peekAt()).toBeUndefined();
    expect(q.popDue(Number.MAX_VALUE)).toEqual([]);
  });

  it('orders by instant and pops only what is due', () => {
    const q = new DeadlineQueue();
    q.set('c', 30);
    q.set('a', 10);
    q.set('b', 20);
    q.set('d', 40);
    expect(q.peek()).toEqual({ key: 'a', at: 10 });
    expect(q.popDue(9)).toEqual([]);
    expect(q.popDue(20)).toEqual([
      { key: 'a', at: 10 },
      { key: 'b', at: 20 },
    ]);
    expect(q.size).toBe(2);
    expect(q.peek()).toEqual({ key: 'c', at: 30 });
  });

  it('pops ties in insertion order', () => {
    const q = new DeadlineQueue();
    for (const key of ['x', 'y', 'z', 'w']) q.set(key, 5);
    expect(drain(q).map((e) => e.key)).toEqual(['x', 'y', 'z', 'w']);
  });

  it('set on an existing key moves it (earlier and later) without duplicating', () => {
    const q = new DeadlineQueue();
    q.set('a', 10);
    q.set('b', 20);
    q.set('c', 30);
    q.set('c', 5);
    expect(q.size).toBe(3);
    expect(q.peek()).toEqual({ key: 'c', at: 5 });
    expect(q.get('c')).toBe(5);
    q.set('c', 50);
    q.set('a', 25);
    expect(q.size).toBe(3);
    expect(drain(q)).toEqual([
      { key: 'b', at: 20 },
      { key: 'a', at: 25 },
      { key: 'c', at: 50 },
    ]);
  });

  it('delete reports whether the key was present and tolerates absent keys', () => {
    const q = new DeadlineQueue();
    expect(q.delete('nope')).toBe(false);
    q.set('a', 1);
    q.set('b', 2);
    expect(q.delete('a')).toBe(true);
    expect(q.delete('a')).toBe(false);
    expect(q.has('a')).toBe(false);
    expect(q.get('a')).toBeUndefined();
    expect(q.size).toBe(1);
    expect(q.peek()).toEqual({ key: 'b', at: 2 });
    expect(q.delete('b')).toBe(true);
    expect(q.size).toBe(0);
    expect(q.peek()).toBeUndefined();
  });

  it('clear empties it and it stays usable', () => {
    const q = new DeadlineQueue();
    for (let i = 0; i < 200; i++) q.set(`k${i}`, 200 - i);
    q.clear();
    expect(q.size).toBe(0);
    expect(q.has('k1')).toBe(false);
    q.set('k1', 3);
    expect(drain(q)).toEqual([{ key: 'k1', at: 3 }]);
  });

  it('rejects non-finite instants', () => {
    const q = new DeadlineQueue();
    expect(() => q.set('a', Number.NaN)).toThrow(RangeError);
    expect(() => q.set('a', Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(q.size).toBe(0);
  });

  it('grows through many entries and reuses freed slots', () => {
    const q = new DeadlineQueue();
    const n = 5_000;
    for (let i = 0; i < n; i++) q.set(`k${i}`, (i * 7919) % n);
    expect(q.size).toBe(n);
    for (let i = 0; i < n; i += 2) expect(q.delete(`k${i}`)).toBe(true);
    const rest = drain(q);
    expect(rest).toHaveLength(n / 2);
    for (let i = 1; i < rest.length; i++) expect(rest[i]!.at).toBeGreaterThanOrEqual(rest[i - 1]!.at);
    expect(q.size).toBe(0);
  });

  it('matches a sorted reference model under random set/delete/popDue sequences', () => {
    // A small key space and time range so moves, deletes of present keys and ties are all common.
    fc.assert(fc.property(fc.array(opArb(25, 10), { maxLength: 120 }), checkAgainstModel), { numRuns: 300 });
  });

  it('matches the reference model through storage growth', () => {
    // Enough live keys to outgrow the initial capacity (64) and exercise slot reuse.
    fc.assert(fc.property(fc.array(opArb(300, 1), { minLength: 200, maxLength: 600 }), checkAgainstModel), { numRuns: 30 });
  });
});
