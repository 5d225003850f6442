/**
 * Indexed binary min-heap of deadlines (epoch ms) keyed by string.
 *
 * Layout (all parallel typed arrays, grown by doubling):
 *
 * - Each key owns a *slot*, a small integer that stays fixed while the key is
 *   queued. `index: Map<string, number>` maps key → slot; `keyOf`, `seq` and
 *   `pos` are indexed by slot (the key, its insertion sequence, its heap position).
 * - The heap itself is `heap` (position → slot) plus `heapAt` (position → instant,
 *   a copy kept next to the heap so comparisons walk contiguous memory).
 *
 * Sifting therefore moves integers between typed arrays and never touches the
 * Map: each operation does O(1) Map work (one lookup, plus one insert or delete)
 * and O(log n) typed-array work. On a large Map every access is a cache miss, so
 * this matters far more than the comparison count.
 *
 * `heap` is always a permutation of 0..capacity-1: positions [0, size) hold the
 * live slots in heap order and positions [size, capacity) hold the free ones, so
 * no separate free list is needed.
 *
 * Apart from the entry objects that `peek`/`popDue` return and the Map entry of a
 * new key, operations allocate nothing (growth doubles the arrays). Capacity is kept
 * at the high-water mark until `clear()`.
 *
 * Ordering is by `at`, then by insertion sequence: entries due at the same instant
 * come out in the order they were last `set` (moving a key counts as re-inserting it).
 */

export interface DeadlineEntry {
  key: string;
  at: number;
}

const INITIAL_CAPACITY = 64;

export class DeadlineQueue {
  private capacity = 0;
  private count = 0;
  private nextSeq = 0;
  /** Heap position → slot; positions >= count hold the free slots. */
  private heap = new Int32Array(0);
  /** Heap position → instant. */
  private heapAt = new Float64Array(0);
  /** Slot → heap position. */
  private pos = new Int32Array(0);
  /** Slot → insertion sequence (a Float64 counts exactly up to 2^53). */
  private seq = new Float64Array(0);
  /** Slot → key ('' while the slot is free). */
  private keyOf: string[] = [];
  /** Key → slot. */
  private readonly index = new Map<string, number>();

  constructor() {
    this.grow(INITIAL_CAPACITY);
  }

  /** Insert or move `key` to `at` (epoch ms). O(log n). */
  set(key: string, at: number): void {
    if (!Number.isFinite(at)) throw new RangeError(`DeadlineQueue.set(${JSON.stringify(key)}): instant must be a finite number, got ${at}`);
    const existing = this.index.get(key);
    if (existing !== undefined) {
      const p = this.pos[existing]!;
      const previous = this.heapAt[p]!;
      this.heapAt[p] = at;
      this.seq[existing] = this.nextSeq++;
      // The new sequence is the largest, so with an equal `at` the entry can only move down.
      if (at < previous) this.siftUp(p);
      else this.siftDown(p);
      return;
    }
    if (this.count === this.capacity) this.grow(this.capacity * 2);
    const p = this.count++;
    const slot = this.heap[p]!;
    this.keyOf[slot] = key;
    this.seq[slot] = this.nextSeq++;
    this.heapAt[p] = at;
    this.pos[slot] = p;
    this.index.set(key, slot);
    this.siftUp(p);
  }

  /** Remove `key` if present; returns whether it was. O(log n). */
  delete(key: string): boolean {
    const slot = this.index.get(key);
    if (slot === undefined) return false;
    this.removeAt(this.pos[slot]!);
    return true;
  }

  get(key: string): number | undefined {
    const slot = this.index.get(key);
    return slot === undefined ? undefined : this.heapAt[this.pos[slot]!];
  }

  has(key: string): boolean {
    return this.index.has(key);
  }

  /** Earliest entry, or undefined. O(1). */
  peek(): DeadlineEntry | undefined {
    if (this.count === 0) return undefined;
    return { key: this.keyOf[this.heap[0]!]!, at: this.heapAt[0]! };
  }

  /** Instant of the earliest entry, or undefined; O(1) and allocation-free. */
  peekAt(): number | undefined {
    return this.count === 0 ? undefined : this.heapAt[0];
  }

  /** Removes and returns every entry with at <= now, earliest first (ties: insertion order). */
  popDue(now: number): DeadlineEntry[] {
    const due: DeadlineEntry[] = [];
    while (this.count > 0 && this.heapAt[0]! <= now) {
      due.push({ key: this.keyOf[this.heap[0]!]!, at: this.heapAt[0]! });
      this.removeAt(0);
    }
    return due;
  }

  get size(): number {
    return this.count;
  }

  /** Empties the queue and releases its storage. */
  clear(): void {
    this.index.clear();
    this.count = 0;
    this.nextSeq = 0;
    this.capacity = 0;
    this.heap = new Int32Array(0);
    this.heapAt = new Float64Array(0);
    this.pos = new Int32Array(0);
    this.seq = new Float64Array(0);
    this.keyOf = [];
    this.grow(INITIAL_CAPACITY);
  }

  private removeAt(p: number): void {
    const { heap, heapAt, pos } = this;
    const slot = heap[p]!;
    this.index.delete(this.keyOf[slot]!);
    this.keyOf[slot] = '';
    const last = --this.count;
    if (p === last) return; // `slot` already sits at the start of the free region
    const moved = heap[last]!;
    const movedAt = heapAt[last]!;
    heap[last] = slot;
    heap[p] = moved;
    heapAt[p] = movedAt;
    pos[moved] = p;
    // The moved entry may belong above or below position p (never both).
    if (p > 0) {
      const parent = (p - 1) >> 1;
      const parentAt = heapAt[parent]!;
      if (movedAt < parentAt || (movedAt === parentAt && this.seq[moved]! < this.seq[heap[parent]!]!)) {
        this.siftUp(p);
        return;
      }
    }
    this.siftDown(p);
  }

  /** Hole-based sift: the entry travels in locals and is written once at its final position. */
  private siftUp(start: number): void {
    const { heap, heapAt, pos, seq } = this;
    const slot = heap[start]!;
    const at = heapAt[start]!;
    const order = seq[slot]!;
    let p = start;
    while (p > 0) {
      const parent = (p - 1) >> 1;
      const parentAt = heapAt[parent]!;
      const parentSlot = heap[parent]!;
      if (at > parentAt || (at === parentAt && order > seq[parentSlot]!)) break;
      heap[p] = parentSlot;
      heapAt[p] = parentAt;
      pos[parentSlot] = p;
      p = parent;
    }
    heap[p] = slot;
    heapAt[p] = at;
    pos[slot] = p;
  }

  private siftDown(start: number): void {
    const { heap, heapAt, pos, seq } = this;
    const n = this.count;
    const slot = heap[start]!;
    const at = heapAt[start]!;
    const order = seq[slot]!;
    let p = start;
    for (;;) {
      const left = 2 * p + 1;
      if (left >= n) break;
      let child = left;
      let childAt = heapAt[left]!;
      const right = left + 1;
      if (right < n) {
        const rightAt = heapAt[right]!;
        if (rightAt < childAt || (rightAt === childAt && seq[heap[right]!]! < seq[heap[left]!]!)) {
          child = right;
          childAt = rightAt;
        }
      }
      const childSlot = heap[child]!;
      if (at < childAt || (at === childAt && order < seq[childSlot]!)) break;
      heap[p] = childSlot;
      heapAt[p] = childAt;
      pos[childSlot] = p;
      p = child;
    }
    heap[p] = slot;
    heapAt[p] = at;
    pos[slot] = p;
  }

  private grow(capacity: number): void {
    const old = this.capacity;
    const heap = new Int32Array(capacity);
    heap.set(this.heap);
    // New slots old..capacity-1 join the free region (positions >= count, all >= old here).
    for (let i = old; i < capacity; i++) heap[i] = i;
    const heapAt = new Float64Array(capacity);
    heapAt.set(this.heapAt);
    const pos = new Int32Array(capacity);
    pos.set(this.pos);
    const seq = new Float64Array(capacity);
    seq.set(this.seq);
    for (let i = old; i < capacity; i++) this.keyOf.push('');
    this.heap = heap;
    this.heapAt = heapAt;
    this.pos = pos;
    this.seq = seq;
    this.capacity = capacity;
  }
}
