/**
 * The behaviour every TicketStore backend must show. Each backend's test file
 * calls `runStoreContract` with a factory that opens a fresh, empty store.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/ticket.js';
import { StoreError, type RestorableStore } from '../../src/store/ports.js';
import { T0, append, closed, collect, makeTicket } from './fixtures.js';

export interface StoreContractOptions {
  /**
   * For backends that persist: opens again the data of the store `open`
   * returned last (after the test has closed it).
   */
  reopen?: () => Promise<RestorableStore>;
}

export function runStoreContract(name: string, open: () => Promise<RestorableStore>, options: StoreContractOptions = {}): void {
  describe(`TicketStore contract: ${name}`, () => {
    const live = new Set<RestorableStore>();
    const fresh = async () => {
      const store = await open();
      live.add(store);
      return store;
    };
    const shut = async (store: RestorableStore) => {
      live.delete(store);
      await store.close();
    };
    afterEach(async () => {
      for (const store of live) await store.close();
      live.clear();
    });

    it('reads back a created ticket exactly, strings and nested records included', async () => {
      const store = await fresh();
      const ticket = makeTicket(7, {
        platform: 'slack',
        channelId: 'C0:odd:channel',
        threadId: '1710061200.000100',
        events: [
          {
            type: 'opened',
            at: T0,
            customer: 'acme',
            tier: 'enterprise',
            severity: 'high',
            severityGuessed: true,
            // keyv's default serializer rewrites strings starting with ":"; these must survive.
            text: ':fire: prod down — ünïcödé 🚒 "quoted" \\ back',
            messageId: '1710061200.000100',
            by: { platform: 'slack', userId: 'U1', name: 'Ann' },
          },
          { type: 'customer_message', at: T0 + 1, text: ':base64:aGVsbG8=' },
          { type: 'customer_message', at: T0 + 2, text: '' },
        ],
        notifications: { 'firstResponse:0.5': { status: 'sent', dueAt: T0 + 5, sentAt: T0 + 6, late: false, ref: 'C1/171' } },
        version: 3,
      });
      await store.create(ticket);
      expect(await store.get(7)).toStrictEqual(ticket);
      expect(await store.get(8)).toBeUndefined();
      for (const bad of [0, -1, 1.5, Number.NaN]) expect(await store.get(bad)).toBeUndefined();
    });

    it('hands out copies: changing a ticket read from the store does not change what is stored', async () => {
      const store = await fresh();
      await store.create(makeTicket(1));
      const read = (await store.get(1))!;
      read.events.push(closed());
      read.customer = 'changed';
      expect(await store.get(1)).toStrictEqual(makeTicket(1));
    });

    it('rejects creating a ticket whose id exists, and keeps the first', async () => {
      const store = await fresh();
      await store.create(makeTicket(1));
      await expect(store.create(makeTicket(1, { customer: 'globex' }))).rejects.toBeInstanceOf(StoreError);
      expect((await store.get(1))?.customer).toBe('acme');

      const racing = await Promise.allSettled(Array.from({ length: 10 }, () => store.create(makeTicket(2))));
      expect(racing.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    });

    it('bumps the version on update and persists the change', async () => {
      const store = await fresh();
      await store.create(makeTicket(1));
      const claim = { type: 'claimed', at: T0 + 10, by: { platform: 'shell', userId: 'carol', personId: 'carol' } } as const;
      const saved = await store.update(1, append(claim));
      expect(saved.version).toBe(2);
      expect(saved.events.at(-1)).toStrictEqual(claim);
      expect(await store.get(1)).toStrictEqual(saved);
    });

    it('leaves the ticket as it is when the change returns undefined', async () => {
      const store = await fresh();
      await store.create(makeTicket(1));
      expect(await store.update(1, () => undefined)).toStrictEqual(makeTicket(1));
      expect((await store.get(1))?.version).toBe(1);
    });

    it('rejects updating a ticket that does not exist, and creates nothing', async () => {
      const store = await fresh();
      await expect(store.update(5, append(closed()))).rejects.toBeInstanceOf(StoreError);
      expect(await store.get(5)).toBeUndefined();
      expect(await collect(store.listAll())).toEqual([]);
    });

    it('writes nothing when the change throws', async () => {
      const store = await fresh();
      await store.create(makeTicket(1));
      await expect(
        store.update(1, () => {
          throw new Error('rule broken');
        }),
      ).rejects.toThrow('rule broken');
      expect(await store.get(1)).toStrictEqual(makeTicket(1));
    });

    it('loses none of 100 concurrent updates of one ticket', async () => {
      const store = await fresh();
      await store.create(makeTicket(1));
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => store.update(1, append({ type: 'customer_message', at: T0 + i, text: `message ${i}` }))),
      );
      const ticket = (await store.get(1))!;
      expect(ticket.version).toBe(101);
      expect(ticket.events).toHaveLength(101);
      const texts = new Set(ticket.events.slice(1).map((e) => (e.type === 'customer_message' ? e.text : '')));
      expect(texts).toEqual(new Set(Array.from({ length: 100 }, (_, i) => `message ${i}`)));
    });

    it('hands out distinct ticket ids under concurrency, counting from 1', async () => {
      const store = await fresh();
      const ids = await Promise.all(Array.from({ length: 200 }, () => store.nextTicketId()));
      expect(new Set(ids).size).toBe(200);
      expect([...ids].sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(await store.nextTicketId()).toBe(201);
    });

    it('reserves ticket ids through a number (restored tickets), never moving the counter back', async () => {
      const store = await fresh();
      expect(await store.nextTicketId()).toBe(1);
      await store.reserveTicketIdsThrough(41);
      expect(await store.nextTicketId()).toBe(42);
      await store.reserveTicketIdsThrough(10);
      await store.reserveTicketIdsThrough(42);
      expect(await store.nextTicketId()).toBe(43);
      await expect(store.reserveTicketIdsThrough(0)).rejects.toBeInstanceOf(StoreError);
    });

    it('lists as active every ticket that is not closed, resolved and reopened ones included', async () => {
      const store = await fresh();
      for (let id = 1; id <= 4; id += 1) await store.create(makeTicket(id));
      await store.create(makeTicket(5, { events: [...makeTicket(5).events, closed()] }));
      await store.update(2, append(closed()));
      await store.update(3, append({ type: 'resolved', at: T0 + 20 }));
      await store.update(4, append({ type: 'resolved', at: T0 + 20 }));
      await store.update(4, append({ type: 'reopened', at: T0 + 30 }));

      expect((await collect(store.listActive())).map((t) => t.id).sort((a, b) => a - b)).toEqual([1, 3, 4]);
      expect((await collect(store.listAll())).map((t) => t.id)).toEqual([1, 2, 3, 4, 5]);
      const four = (await collect(store.listActive())).find((t) => t.id === 4);
      expect(four).toStrictEqual(await store.get(4));
    });

    it('lists every ticket, oldest first, across page boundaries (1,200 tickets)', async () => {
      const store = await fresh();
      const count = 1_200;
      // Created out of order (and ids of different lengths) so the listing order is the store's doing.
      const ids = Array.from({ length: count }, (_, i) => ((i * 7919) % count) + 1);
      expect(new Set(ids).size).toBe(count);
      for (let from = 0; from < count; from += 200) {
        await Promise.all(
          ids.slice(from, from + 200).map((id) => store.create(id % 3 === 0 ? makeTicket(id, { events: [...makeTicket(id).events, closed()] }) : makeTicket(id))),
        );
      }
      const all = (await collect(store.listAll())).map((t: Ticket) => t.id);
      expect(all).toEqual(Array.from({ length: count }, (_, i) => i + 1));
      const active = (await collect(store.listActive())).map((t) => t.id).sort((a, b) => a - b);
      expect(active).toEqual(Array.from({ length: count }, (_, i) => i + 1).filter((id) => id % 3 !== 0));
    });

    it('finds the ticket of an indexed message', async () => {
      const store = await fresh();
      await store.indexMessage('slack', 'C1', '1710061200.000100', 42);
      await store.indexMessage('discord', 'C1', '1710061200.000100', 43);
      expect(await store.findByMessage('slack', 'C1', '1710061200.000100')).toBe(42);
      expect(await store.findByMessage('discord', 'C1', '1710061200.000100')).toBe(43);
      expect(await store.findByMessage('slack', 'C1', '1710061200.000101')).toBeUndefined();
      expect(await store.findByMessage('slack', 'C2', '1710061200.000100')).toBeUndefined();

      // A ":" inside an id must not make two messages share a key.
      await store.indexMessage('shell', 'a:b', 'c', 1);
      await store.indexMessage('shell', 'a', 'b:c', 2);
      expect(await store.findByMessage('shell', 'a:b', 'c')).toBe(1);
      expect(await store.findByMessage('shell', 'a', 'b:c')).toBe(2);

      await store.indexMessage('slack', 'C1', '1710061200.000100', 44);
      expect(await store.findByMessage('slack', 'C1', '1710061200.000100')).toBe(44);
    });

    it('keeps meta values apart from tickets', async () => {
      const store = await fresh();
      expect(await store.getMeta('cursor:slack:C1')).toBeUndefined();
      await store.setMeta('cursor:slack:C1', '1710061200.000100');
      await store.setMeta('latest:shell:acme', '12');
      await store.setMeta('latest:shell:acme', '13');
      expect(await store.getMeta('cursor:slack:C1')).toBe('1710061200.000100');
      expect(await store.getMeta('latest:shell:acme')).toBe('13');
      expect(await store.getMeta(':leading-colon')).toBeUndefined();
      await store.setMeta(':leading-colon', ':value');
      expect(await store.getMeta(':leading-colon')).toBe(':value');
      expect(await collect(store.listAll())).toEqual([]);
    });

    it('runs sections holding the same lock one at a time', async () => {
      const store = await fresh();
      let inside = 0;
      let most = 0;
      const section = async () => {
        inside += 1;
        most = Math.max(most, inside);
        await new Promise((resolve) => setTimeout(resolve, 1));
        inside -= 1;
      };
      await Promise.all(Array.from({ length: 20 }, () => store.withLock('channel:slack:C1', section)));
      expect(most).toBe(1);

      most = 0;
      await Promise.all(['a', 'b', 'c'].map((key) => store.withLock(key, section)));
      expect(most).toBe(3);

      await expect(store.withLock('k', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
      await expect(store.withLock('k', async () => 42)).resolves.toBe(42);
    });

    it('does not make a caller lock wait on the store’s own locks', async () => {
      const store = await fresh();
      await store.create(makeTicket(1));
      const saved = await store.withLock('ticket:0000000001', () => store.update(1, append(closed())));
      expect(saved.version).toBe(2);
    });

    it('answers ping while open and rejects every call once closed', async () => {
      const store = await fresh();
      await store.ping();
      await store.create(makeTicket(1));
      await shut(store);
      await expect(store.ping()).rejects.toBeInstanceOf(StoreError);
      await expect(store.get(1)).rejects.toBeInstanceOf(StoreError);
      await expect(store.update(1, append(closed()))).rejects.toBeInstanceOf(StoreError);
      await expect(store.setMeta('k', 'v')).rejects.toBeInstanceOf(StoreError);
      await expect(collect(store.listAll())).rejects.toBeInstanceOf(StoreError);
    });

    // Only a persistent backend has anything to keep across a reopen.
    const reopen = options.reopen;
    if (reopen) it('keeps everything across close and reopen', async () => {
      let store = await fresh();
      const first = await store.nextTicketId();
      const second = await store.nextTicketId();
      await store.create(makeTicket(first));
      await store.create(makeTicket(second));
      await store.update(second, append(closed()));
      await store.indexMessage('shell', 'acme-support', 'm1', first);
      await store.setMeta('cursor', 'x');
      const before = await collect(store.listAll());
      await shut(store);

      store = await reopen!();
      live.add(store);
      expect(await collect(store.listAll())).toStrictEqual(before);
      expect((await collect(store.listActive())).map((t) => t.id)).toEqual([first]);
      expect(await store.findByMessage('shell', 'acme-support', 'm1')).toBe(first);
      expect(await store.getMeta('cursor')).toBe('x');
      expect(await store.nextTicketId()).toBe(second + 1);
      expect((await store.update(second, append({ type: 'reopened', at: T0 + 99 }))).version).toBe(3);
    });
  });
}
