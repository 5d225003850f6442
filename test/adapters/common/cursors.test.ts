/**
 * The cursor book every platform uses: per channel, the position of the
 * newest message read, kept in the store through the desk; it only moves
 * forward in the platform's own order, and moves for one channel happen one
 * after another.
 */
import { describe, expect, it } from 'vitest';
import { CursorBook, type CursorStore } from '../../../adapters/common/cursors.js';
import { App } from '../../../src/app/app.js';
import { parseConfig } from '../../../src/config/load.js';
import type { Platform } from '../../../src/domain/ticket.js';
import type { SupportDesk } from '../../../src/service/desk-port.js';
import { silentLogger } from '../../../src/service/logger.js';
import { openMemoryStore } from '../../../src/store/open.js';

const CONFIG = `
customers:
  - { id: acme, name: Acme Corp, tier: standard, channels: { shell: [acme] } }
tiers:
  standard:
    targets: { default: { firstResponse: 4h } }
`;

/** Positions that are numbers written in decimal: "10" comes after "9", which text order would get wrong. */
const NUMERIC = { compare: (a: string, b: string) => Number(a) - Number(b) };

function newDesk(store = openMemoryStore()): SupportDesk {
  return new App({ config: parseConfig(CONFIG), store, logger: silentLogger }).desk;
}

/** The desk's cursors, with each write held back for as long as `delayOf` says and recorded when it lands. */
function delayedWrites(desk: SupportDesk, delayOf: (position: string) => number): CursorStore & { written: string[] } {
  const written: string[] = [];
  return {
    written,
    getCursor: (platform, channelId) => desk.getCursor(platform, channelId),
    async setCursor(platform: Platform, channelId: string, position: string) {
      await new Promise((r) => setTimeout(r, delayOf(position)));
      await desk.setCursor(platform, channelId, position);
      written.push(position);
    },
  };
}

describe('the cursor book', () => {
  it('starts without a cursor and keeps what it is given in the store, for the next process', async () => {
    const store = openMemoryStore();
    const book = new CursorBook(newDesk(store), 'shell', NUMERIC);
    expect(await book.get('acme')).toBeUndefined();
    await book.advance('acme', '9');
    expect(await book.get('acme')).toBe('9');

    const later = new CursorBook(newDesk(store), 'shell', NUMERIC);
    expect(await later.get('acme')).toBe('9');
    // Another platform's cursor of a channel with the same id is its own.
    expect(await new CursorBook(newDesk(store), 'slack', NUMERIC).get('acme')).toBeUndefined();
  });

  it('only moves forward, in the platform\'s order', async () => {
    const desk = newDesk();
    const book = new CursorBook(desk, 'shell', NUMERIC);
    await book.advance('acme', '9');
    await book.advance('acme', '10');
    await book.advance('acme', '2');
    await book.advance('acme', '10');
    expect(await book.get('acme')).toBe('10');
    expect(await desk.getCursor('shell', 'acme')).toBe('10');
  });

  it('runs the moves of one channel one after another, so a slow early write never lands after a later one', async () => {
    const desk = newDesk();
    // The first write takes far longer than the others: run side by side, it would land last and win.
    const store = delayedWrites(desk, (position) => (position === '5' ? 80 : 1));
    const book = new CursorBook(store, 'shell', NUMERIC);
    await Promise.all([book.advance('acme', '5'), book.advance('acme', '3'), book.advance('acme', '9')]);
    expect(store.written).toEqual(['5', '9']);
    expect(await desk.getCursor('shell', 'acme')).toBe('9');
  });

  it('keeps channels apart: a slow channel does not hold up another', async () => {
    const desk = newDesk();
    const store = delayedWrites(desk, (position) => (position === '100' ? 80 : 1));
    const book = new CursorBook(store, 'shell', NUMERIC);
    const slow = book.advance('acme', '100');
    await book.advance('globex', '7');
    expect(store.written).toEqual(['7']);
    await slow;
    expect(await desk.getCursor('shell', 'acme')).toBe('100');
    expect(await desk.getCursor('shell', 'globex')).toBe('7');
  });

  it('a write the store refuses fails that move only: the cursor stays, and the next move goes through', async () => {
    const desk = newDesk();
    let refuse = true;
    const book = new CursorBook(
      {
        getCursor: (platform, channelId) => desk.getCursor(platform, channelId),
        async setCursor(platform, channelId, position) {
          if (refuse && position === '8') throw new Error('store unavailable');
          await desk.setCursor(platform, channelId, position);
        },
      },
      'shell',
      NUMERIC,
    );
    await book.advance('acme', '4');
    const refused = book.advance('acme', '8');
    const after = book.advance('acme', '6');
    await expect(refused).rejects.toThrow('store unavailable');
    await after;
    expect(await book.get('acme')).toBe('6');
    refuse = false;
    await book.advance('acme', '8');
    expect(await desk.getCursor('shell', 'acme')).toBe('8');
  });
});
