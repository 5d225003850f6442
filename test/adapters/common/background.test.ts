/**
 * Answering within a platform's deadline: a handler waits for its work up
 * to a budget; quick work answers with its result, slow work goes on in the
 * background and its result comes later; failures are reported, and a
 * failure the handler picks refuses the request — only while it can still
 * be refused.
 */
import { describe, expect, it } from 'vitest';
import { Background } from '../../../adapters/common/background.js';

const after = <T>(ms: number, value: T): Promise<T> => new Promise((resolve) => setTimeout(() => resolve(value), ms));
const failingAfter = (ms: number, err: Error): Promise<never> => new Promise((_, reject) => setTimeout(() => reject(err), ms));

function background(): { bg: Background; errors: unknown[] } {
  const errors: unknown[] = [];
  return { bg: new Background((err) => errors.push(err)), errors };
}

describe('work within a budget', () => {
  it('quick work answers with its result', async () => {
    const { bg, errors } = background();
    expect(await bg.within(after(5, 'claimed'), 1_000)).toEqual({ inTime: true, value: 'claimed' });
    expect(errors).toEqual([]);
  });

  it('slow work answers "later" at the budget and delivers its result when done; drain waits for it', async () => {
    const { bg } = background();
    const started = Date.now();
    const timed = await bg.within(after(300, 'status card'), 20);
    expect(Date.now() - started).toBeLessThan(300);
    expect(timed.inTime).toBe(false);
    if (timed.inTime) return;
    let delivered: string | undefined;
    void timed.later.then((value) => (delivered = value));
    await bg.drain();
    expect(delivered).toBe('status card');
  });

  it('a failure is reported and answers with no value, in time or late', async () => {
    const { bg, errors } = background();
    const quick = new Error('quick failure');
    expect(await bg.within(Promise.reject(quick), 1_000)).toEqual({ inTime: true, value: undefined });
    const slow = new Error('slow failure');
    const timed = await bg.within(failingAfter(100, slow), 10);
    expect(timed.inTime).toBe(false);
    if (!timed.inTime) expect(await timed.later).toBeUndefined();
    expect(errors).toEqual([quick, slow]);
  });

  it('a failure the handler refuses rejects within the budget (the platform delivers the request again) and is not reported', async () => {
    const { bg, errors } = background();
    const storeDown = new Error('store unavailable');
    await expect(bg.within(failingAfter(5, storeDown), 1_000, (err) => err === storeDown)).rejects.toBe(storeDown);
    // Another failure is not refused.
    const other = new Error('bug');
    await expect(bg.within(Promise.reject(other), 1_000, (err) => err === storeDown)).resolves.toEqual({ inTime: true, value: undefined });
    expect(errors).toEqual([other]);
  });

  it('once answered, a request cannot be refused: a late failure it would refuse is reported', async () => {
    const { bg, errors } = background();
    const storeDown = new Error('store unavailable');
    const timed = await bg.within(failingAfter(100, storeDown), 10, (err) => err === storeDown);
    expect(timed.inTime).toBe(false);
    await bg.drain();
    expect(errors).toEqual([storeDown]);
  });

  it('drain gives up after its timeout', async () => {
    const { bg } = background();
    await bg.within(new Promise<void>(() => undefined), 5);
    const started = Date.now();
    await bg.drain(50);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
