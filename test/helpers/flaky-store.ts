/**
 * A TicketStore that can be switched "down": every call then fails with a
 * StoreError, as a store whose server went away does. For tests of what the
 * bot does when it cannot store.
 */
import { StoreError, type TicketStore } from '../../src/store/ports.js';

export interface FlakyStore extends TicketStore {
  down: boolean;
  /** The next `calls` calls go through, then the store goes down (a server dying in the middle of a use case). */
  downAfter(calls: number): void;
}

export function flakyStore(inner: TicketStore): FlakyStore {
  const state: { down: boolean; callsLeft?: number } = { down: false };
  const guard =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      if (state.callsLeft !== undefined && state.callsLeft-- <= 0) {
        state.down = true;
        state.callsLeft = undefined;
      }
      if (state.down) throw new StoreError(`${name} failed: the store is unreachable`);
      return fn(...args);
    };
  return {
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
      state.callsLeft = undefined;
    },
    downAfter(calls: number) {
      state.callsLeft = calls;
    },
    nextTicketId: guard('nextTicketId', () => inner.nextTicketId()),
    create: guard('create', (t) => inner.create(t)),
    get: guard('get', (id) => inner.get(id)),
    update: guard('update', (id, change) => inner.update(id, change)),
    listActive: () => inner.listActive(),
    listAll: () => inner.listAll(),
    findByMessage: guard('findByMessage', (p, c, m) => inner.findByMessage(p, c, m)),
    indexMessage: guard('indexMessage', (p, c, m, id) => inner.indexMessage(p, c, m, id)),
    getMeta: guard('getMeta', (k) => inner.getMeta(k)),
    setMeta: guard('setMeta', (k, v) => inner.setMeta(k, v)),
    withLock: guard('withLock', (k, section) => inner.withLock(k, section)) as TicketStore['withLock'],
    incidents: () => inner.incidents(),
    ping: guard('ping', () => inner.ping()),
    close: () => inner.close(),
  };
}
