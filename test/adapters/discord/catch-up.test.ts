/**
 * Discord, beyond new messages: edits and deletions made while the bot was
 * away (a session that could not be resumed, so the gateway never replays
 * them) reach the ticket as a live edit or deletion would — with real
 * discord.js against the fake Discord — and a ticket's thread is archived
 * when the ticket closes and unarchived when it is reopened.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { viewTicket } from '../../../src/domain/ticket.js';
import { ackIn, IDS, startHarness, type Harness } from './harness.js';

/** Polls an asynchronous check until it gives something. */
async function until<T>(check: () => Promise<T | undefined | false>, what: string, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('Discord catch-up and thread archiving', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('edits and deletions made while away are reconciled like live ones', async () => {
    h = await startHarness();
    const opener = h.fake.postMessage(IDS.acme, h.dana, 'Login fails');
    await ackIn(h.fake, opener);
    const detail = h.fake.postMessage(opener.id, h.dana, 'error 500 on /login');
    const wrong = h.fake.postMessage(opener.id, h.dana, 'here is the wrong screenshot');
    await h.settle();
    expect((await h.store.get(1))?.events.filter((e) => e.type === 'customer_message')).toHaveLength(2);

    h.fake.dropConnection({ resumable: false });
    // While the bot is away (these events are never replayed):
    h.fake.editMessage(IDS.acme, opener.id, 'Login fails for SSO users');
    h.fake.editMessage(opener.id, detail.id, 'error 502 on /login');
    h.fake.deleteMessage(opener.id, wrong.id);

    await h.fake.waitForSession(2, 12_000);
    const resolved = await until(async () => {
      await h!.settle();
      const stored = (await h!.store.get(1))!;
      return stored.events.some((e) => e.type === 'message_deleted') ? stored : undefined;
    }, 'the deletion recorded', 15_000);
    expect(viewTicket(resolved).title).toBe('Login fails for SSO users');
    expect(resolved.events.filter((e) => e.type === 'message_edited').map((e) => [e.messageId, 'text' in e ? e.text : undefined])).toEqual([
      [opener.id, 'Login fails for SSO users'],
      [detail.id, 'error 502 on /login'],
    ]);
    expect(resolved.events.filter((e) => e.type === 'message_deleted').map((e) => e.messageId)).toEqual([wrong.id]);

    // Another pass finds nothing new.
    const events = resolved.events.length;
    await h.connection.settled();
    expect((await h.store.get(1))!.events).toHaveLength(events);
  }, 30_000);

  it('archives a ticket\'s thread when the ticket closes, and unarchives it when the ticket is reopened', async () => {
    h = await startHarness({ archiveDelayMs: 20 });
    const opener = h.fake.postMessage(IDS.acme, h.dana, 'Exports are empty');
    await ackIn(h.fake, opener);
    h.fake.slash(h.alice, IDS.staffChannel, 'resolve', { ticket: 1 });
    await until(async () => viewTicket((await h!.store.get(1))!).state === 'resolved', 'the ticket resolved');
    expect(h.fake.isArchived(opener.id)).toBe(false);

    // Discord archives a quiet thread by itself; the customer writes again, which reopens the ticket.
    h.fake.archiveThread(opener.id);
    h.fake.postMessage(opener.id, h.dana, 'Still empty today');
    await h.fake.waitFor(() => !h!.fake.isArchived(opener.id), 'the thread unarchived');
    expect(viewTicket((await h.store.get(1))!).state).toBe('open');

    h.fake.slash(h.alice, IDS.staffChannel, 'close', { ticket: 1 });
    await h.fake.waitFor(() => h!.fake.isArchived(opener.id), 'the thread archived');
    expect(viewTicket((await h.store.get(1))!).state).toBe('closed');
  });
});
