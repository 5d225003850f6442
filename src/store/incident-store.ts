/**
 * The incident log in the store: one record per incident (and per
 * maintenance window) holding its events and the notices sent about them,
 * next to the tickets in the same backend (memory, SQLite or Redis).
 *
 * A record is to incidents what a ticket is to a customer's question: an
 * append-only event log, and the record of every notice handled, at most once
 * per key (see service/incident-notices.ts). Writes of one record are
 * serialized by a lock and, on Redis, checked by a compare-and-set on its
 * version, exactly as ticket writes are.
 *
 * Keys (inside the store's namespace):
 *   incident:0000000007              the record (numbered in order of creation, so listing is oldest first)
 *   incident-id:<subject>            the record number of `incident:inc-1` / `maintenance:mw-1`
 *   counter:incident                 the last record number handed out
 *   counter:incident-id:<kind>       the last number of ids made here (`inc-4`, `mw-2`)
 */
import { checkNext, subjectId, subjectOf, type IncidentEvent } from '../availability/incident-log.js';
import type { NotificationRecord } from '../domain/ticket.js';
import { StoreError } from './ports.js';

export type IncidentKind = 'incident' | 'maintenance';

export interface IncidentRecord {
  /** The id people use: `inc-1`, `mw-1`, `am-3f2a…`. Unique per kind. */
  id: string;
  kind: IncidentKind;
  /** The record number (order of creation). */
  seq: number;
  /** This incident's (or window's) events, in time order. */
  events: IncidentEvent[];
  /**
   * Indexes (into `events`) of the steps to announce to the affected
   * customers. Events that arrive by an import are history, not news, and
   * are not announced.
   */
  announce: number[];
  /** Notice keys (`<step>/<platform>:<channel>`) handled so far, each at most once. */
  notices: Record<string, NotificationRecord>;
  /** Bumped on every save. */
  version: number;
}

export interface AppendResult {
  /** The events that were not in the log yet, in the order they were written. */
  added: IncidentEvent[];
  /** Every record the events belong to, as stored after the append. */
  records: IncidentRecord[];
}

export interface IncidentStore {
  /**
   * Appends events to the log, each to its incident's (or maintenance
   * window's) record, unless it is already there: an event equal to one the
   * record holds is skipped, so appending the same lines twice changes
   * nothing. With `announce`, the steps added are announced to the affected
   * customers. Rejects with an IncidentConflictError an event that does not
   * fit its record (an update of an incident never opened, a second
   * different opening, a resolve of a resolved one); that record keeps what
   * it had, records written before it stay written.
   */
  append(events: readonly IncidentEvent[], options?: { announce?: boolean }): Promise<AppendResult>;
  get(kind: IncidentKind, id: string): Promise<IncidentRecord | undefined>;
  /**
   * Read-modify-write of one record, serialized like a ticket's update:
   * `change` returns the new record or undefined to leave it. Rejects if the
   * record does not exist.
   */
  update(kind: IncidentKind, id: string, change: (current: IncidentRecord) => IncidentRecord | undefined): Promise<IncidentRecord>;
  /** Every record, oldest first, in pages. */
  listAll(): AsyncIterable<IncidentRecord>;
  /** An id for an incident or window made here: `inc-<n>` / `mw-<n>`, not yet used. */
  newId(kind: IncidentKind): Promise<string>;
}

export class IncidentConflictError extends Error {
  override name = 'IncidentConflictError';
}

/** What the keyv ticket store lends the incident log: its key access, locks and counters. */
export interface RecordAccess {
  read<T>(key: string): Promise<T | undefined>;
  readMany<T>(keys: string[]): Promise<(T | undefined)[]>;
  write(key: string, value: unknown): Promise<void>;
  /** Logical keys under a prefix, a page at a time, ascending. */
  pages(prefix: string): AsyncIterable<string[]>;
  increment(key: string, what: string): Promise<number>;
  withLock<T>(key: string, section: () => Promise<T>): Promise<T>;
  /** A backend shared by several processes: the record write as a compare-and-set on its version. */
  replace?(key: string, expectedVersion: number, next: IncidentRecord): Promise<boolean>;
}

const ID_PREFIX = { incident: 'inc', maintenance: 'mw' } as const;

export class KeyvIncidentStore implements IncidentStore {
  constructor(private readonly access: RecordAccess) {}

  async append(events: readonly IncidentEvent[], options: { announce?: boolean } = {}): Promise<AppendResult> {
    const bySubject = new Map<string, IncidentEvent[]>();
    for (const event of events) {
      const subject = subjectOf(event);
      bySubject.set(subject, [...(bySubject.get(subject) ?? []), event]);
    }
    const result: AppendResult = { added: [], records: [] };
    for (const list of bySubject.values()) {
      const ordered = [...list].sort((a, b) => a.at - b.at);
      const first = ordered[0] as IncidentEvent;
      const kind: IncidentKind = first.type === 'maintenance' ? 'maintenance' : 'incident';
      const id = subjectId(first);
      const record = await this.access.withLock(lockKey(kind, id), async () => {
        const seq = await this.access.read<number>(indexKey(kind, id));
        const current = seq === undefined ? undefined : await this.access.read<IncidentRecord>(recordKey(seq));
        const history = [...(current?.events ?? [])];
        const added: IncidentEvent[] = [];
        for (const event of ordered) {
          const verdict = checkNext(history, event);
          if (verdict.duplicate) continue;
          if (verdict.problem) throw new IncidentConflictError(verdict.problem);
          history.push(event);
          added.push(event);
        }
        if (added.length === 0) return current;
        const announced = options.announce ? added.map((_, i) => history.length - added.length + i) : [];
        result.added.push(...added);
        if (!current) {
          // The index first: should the record's write fail, the next attempt finds the number taken and uses it.
          const number = seq ?? (await this.access.increment('counter:incident', 'incident record numbers'));
          if (seq === undefined) await this.access.write(indexKey(kind, id), number);
          const created: IncidentRecord = { id, kind, seq: number, events: history, announce: announced, notices: {}, version: 1 };
          await this.access.write(recordKey(number), created);
          return created;
        }
        return this.save(current, { ...current, events: history, announce: [...current.announce, ...announced] });
      });
      if (record) result.records.push(record);
    }
    return result;
  }

  async get(kind: IncidentKind, id: string): Promise<IncidentRecord | undefined> {
    const seq = await this.access.read<number>(indexKey(kind, id));
    return seq === undefined ? undefined : this.access.read<IncidentRecord>(recordKey(seq));
  }

  async update(kind: IncidentKind, id: string, change: (current: IncidentRecord) => IncidentRecord | undefined): Promise<IncidentRecord> {
    return this.access.withLock(lockKey(kind, id), async () => {
      const current = await this.get(kind, id);
      if (!current) throw new StoreError(`${kind} ${id} does not exist`);
      const next = change(current);
      if (next === undefined) return current;
      if (next.seq !== current.seq || next.id !== current.id) throw new StoreError(`an update of ${kind} ${id} returned another record`);
      return this.save(current, next);
    });
  }

  async *listAll(): AsyncIterable<IncidentRecord> {
    for await (const keys of this.access.pages('incident:')) {
      for (const record of await this.access.readMany<IncidentRecord>(keys)) if (record) yield record;
    }
  }

  async newId(kind: IncidentKind): Promise<string> {
    for (;;) {
      const id = `${ID_PREFIX[kind]}-${await this.access.increment(`counter:incident-id:${kind}`, `${kind} ids`)}`;
      // An imported log may hold `inc-3` already.
      if (!(await this.get(kind, id))) return id;
    }
  }

  /** Writes `next` over `current` (held under its lock), bumping the version. */
  private async save(current: IncidentRecord, next: IncidentRecord): Promise<IncidentRecord> {
    const saved: IncidentRecord = { ...next, version: current.version + 1 };
    const key = recordKey(current.seq);
    if (this.access.replace) {
      if (!(await this.access.replace(key, current.version, saved))) throw new StoreError(`${current.kind} ${current.id} changed while this update held its lock (the lock expired?); nothing was written`);
    } else {
      await this.access.write(key, saved);
    }
    return saved;
  }
}

function recordKey(seq: number): string {
  return `incident:${String(seq).padStart(10, '0')}`;
}

function indexKey(kind: IncidentKind, id: string): string {
  return `incident-id:${kind}:${encodeURIComponent(id)}`;
}

function lockKey(kind: IncidentKind, id: string): string {
  return `incident:${kind}:${id}`;
}
