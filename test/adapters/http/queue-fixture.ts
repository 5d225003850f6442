/**
 * The queue page tests' world: three customers on three tiers (24×7
 * calendars, so every deadline is plain arithmetic), an on-call rotation,
 * and a seeded set of tickets whose queue order is known.
 */
import { HttpServer } from '../../../adapters/http/server.js';
import { registerQueuePage, type QueuePage, type QueuePageOptions } from '../../../adapters/http/queue-page.js';
import type { SupportDesk } from '../../../src/service/desk-port.js';

export const TOKEN = 'queue-token-for-tests-0123456789';

export const CONFIG = `
people:
  alice: { name: Alice }
  bob: { name: Bob }
staff:
  people: [alice, bob]
  channels: { shell: staff }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, channels: { shell: [acme] } }
  - { id: globex, name: Globex, tier: priority, channels: { shell: [globex] } }
  - { id: initech, name: Initech, tier: standard, channels: { shell: [initech] } }
tiers:
  enterprise:
    targets:
      default: { firstResponse: 1h, resolution: 2d }
      urgent: { firstResponse: 15m }
  priority:
    targets:
      default: { firstResponse: 2h }
  standard:
    targets:
      default: { firstResponse: 4h }
schedules:
  primary:
    name: Primary
    timezone: UTC
    layers:
      - users: [alice, bob]
        rotation: { every: 1w, handoff: "09:00", start: "2026-01-05" }
`;

export const MIN = 60_000;
export const DAY = 86_400_000;

/** Customer text with markup in it: the page must show it, never run it. */
export const HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1"> invoices & <b>totals</b>';

/** The open tickets' ids in the order the queue must show them. */
export const EXPECTED_ORDER = [4, 5, 3, 2, 6];

/**
 * Opens the tickets, relative to `base` (the "now" of the test):
 *
 *   #1 acme, 3 weeks ago: answered after 20 min, resolved after 1 h (not in the queue)
 *   #2 initech (standard 4 h), 60 min ago, claimed by Alice   → due in 3 h
 *   #3 acme (enterprise 1 h), 30 min ago, hostile text        → due in 30 min
 *   #4 globex (priority 2 h), 150 min ago                     → overdue by 30 min
 *   #5 acme, "production is down" (urgent: 15 min), 5 min ago → due in 10 min
 *   #6 initech, 20 min ago, answered after 10 min, waiting on the customer → no deadline, last
 *
 * `moveClock` sets the desk's clock (commands happen at the desk's "now").
 */
export async function seedQueue(desk: SupportDesk, moveClock: (to: number) => void, base: number): Promise<void> {
  let seq = 0;
  const person = (user: string) => ({ userId: user, ...(user === 'alice' || user === 'bob' ? { personId: user } : {}) });
  const say = async (channelId: string, user: string, text: string, at: number, threadId?: string): Promise<string> => {
    const messageId = `seed-${++seq}`;
    await desk.receiveMessage({ platform: 'shell', channelId, messageId, ...(threadId ? { threadId } : {}), author: person(user), text, at });
    return messageId;
  };
  const command = (channelId: string, threadId: string, text: string) => desk.runCommand({ platform: 'shell', channelId, threadId, author: person('alice'), text });

  const old = base - 21 * DAY;
  moveClock(old);
  const t1 = await say('acme', 'dana', 'Question about invoices', old);
  await say('acme', 'alice', 'Here is how that works.', old + 20 * MIN, t1);
  moveClock(old + 60 * MIN);
  await command('acme', t1, 'resolve');

  moveClock(base);
  const t2 = await say('initech', 'erin', 'Export is slow', base - 60 * MIN);
  await command('initech', t2, 'claim');
  await say('acme', 'dana', HOSTILE_TITLE, base - 30 * MIN);
  await say('globex', 'fay', 'Reports are missing totals', base - 150 * MIN);
  await say('acme', 'dana', 'Production is down for everyone', base - 5 * MIN);
  const t6 = await say('initech', 'erin', 'Where do I change my billing address', base - 20 * MIN);
  await say('initech', 'alice', 'Could you send the account id?', base - 10 * MIN, t6);
  await command('initech', t6, 'wait');
}

/** An HTTP server on 127.0.0.1 with the queue page; `url` is its origin. */
export async function serveQueue(desk: SupportDesk, options: Partial<QueuePageOptions> = {}): Promise<{ http: HttpServer; page: QueuePage; url: string; close: () => Promise<void> }> {
  const http = new HttpServer({ port: 0, host: '127.0.0.1', readiness: [] });
  const page = registerQueuePage(http, desk, { token: TOKEN, ...options });
  const port = await http.listen();
  return {
    http,
    page,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      page.close();
      await http.close();
    },
  };
}
