/**
 * A TicketStore that reports the latency and outcome of every operation to
 * the metrics, around any backend.
 */
import type { Metrics } from '../observability/metrics.js';
import type { TicketStore } from './ports.js';

export function meteredStore(store: TicketStore, metrics: Metrics): TicketStore {
  const timed =
    <A extends unknown[], R>(operation: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const start = performance.now();
      try {
        const result = await fn(...args);
        metrics.storeOperation(operation, performance.now() - start, true);
        return result;
      } catch (err) {
        metrics.storeOperation(operation, performance.now() - start, false);
        throw err;
      }
    };
  return {
    nextTicketId: timed('nextTicketId', () => store.nextTicketId()),
    create: timed('create', (ticket) => store.create(ticket)),
    get: timed('get', (id) => store.get(id)),
    update: timed('update', (id, change) => store.update(id, change)),
    listActive: () => store.listActive(),
    listAll: () => store.listAll(),
    findByMessage: timed('findByMessage', (platform, channelId, messageId) => store.findByMessage(platform, channelId, messageId)),
    indexMessage: timed('indexMessage', (platform, channelId, messageId, ticketId) => store.indexMessage(platform, channelId, messageId, ticketId)),
    getMeta: timed('getMeta', (key) => store.getMeta(key)),
    setMeta: timed('setMeta', (key, value) => store.setMeta(key, value)),
    withLock: (key, section) => store.withLock(key, section),
    incidents: () => store.incidents(),
    ping: timed('ping', () => store.ping()),
    close: () => store.close(),
  };
}
