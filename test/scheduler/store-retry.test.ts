/**
 * A step whose ticket the store could not handle is tried again soon, then
 * less and less often while the store stays away — so a short outage delays
 * a ping by about as long as the outage, not by a fixed long wait.
 */
import { describe, expect, it } from 'vitest';
import { openMemoryStore } from '../../src/store/open.js';
import { flakyStore } from '../helpers/flaky-store.js';
import { harness } from '../helpers/app-harness.js';

const CONFIG = `
people:
  alice: { name: Alice }
staff: { people: [alice], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme Corp, tier: fast, channels: { shell: [acme] } }
tiers:
  fast:
    targets:
      default: { firstResponse: 1h }
escalation:
  warnAt: []
  policies:
    default:
      levels:
        - { notify: [person:alice], delay: 1h }
`;
const MIN = 60_000;

describe('the scheduler when the store fails', () => {
  it('retries a due ticket after 1 s, 2 s, 4 s … (at most 15 s apart) and sends once the store is back', async () => {
    const store = flakyStore(openMemoryStore());
    const h = await harness(CONFIG, { store });
    await h.say('acme', 'dana', 'The API is down', { messageId: 'root' });
    await h.timers.advance(60 * MIN - 1);
    store.down = true;
    await h.timers.advance(1); // due now; fails, retries at +1 s and +3 s, then at +7 s
    await h.timers.advance(3_500);
    expect(h.port.lines('staff')).toEqual([]);
    store.down = false;
    await h.timers.advance(3_400);
    expect(h.port.lines('staff')).toEqual([]);
    await h.timers.advance(100); // +7 s
    expect(h.port.lines('staff')).toHaveLength(1);
    expect(h.port.lines('staff')[0]).toMatch(/#1 first response BREACHED/);
  });

  it('backs off to one retry every 15 s while the store stays down', async () => {
    const store = flakyStore(openMemoryStore());
    const h = await harness(CONFIG, { store });
    await h.say('acme', 'dana', 'The API is down', { messageId: 'root' });
    await h.timers.advance(60 * MIN - 1);
    store.down = true;
    await h.timers.advance(50_000); // due now; retries at +1, +3, +7, +15, +30, +45 s all fail
    store.down = false;
    await h.timers.advance(9_900); // the next retry is at +60 s: not every second,
    expect(h.port.lines('staff')).toEqual([]);
    await h.timers.advance(200); // and not later than 15 s after the last
    expect(h.port.lines('staff')).toHaveLength(1);
  });
});
