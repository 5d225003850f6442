/**
 * The portable event log (`slawatch replay` reads it, `export` writes it):
 * one JSON event a line. A good log becomes the ticket's events; a bad one is
 * refused at the first problem, naming its line; a written event reads back
 * as itself.
 */
import { describe, expect, it } from 'vitest';
import { EventLogError, parseEventLines, parseEventLog, toLogLine, type LogContext } from '../../src/domain/event-log.js';

const TIERS: Record<string, string> = { acme: 'enterprise', globex: 'standard' };
const ctx: LogContext = { tierOf: (customer) => TIERS[customer], hasTier: (tier) => tier === 'enterprise' || tier === 'standard' };

const at = (iso: string) => Date.parse(iso);
const lines = (...events: object[]) => events.map((e) => JSON.stringify(e)).join('\n');
const OPENED = { at: '2026-03-02T09:00:00Z', type: 'opened', customer: 'acme', severity: 'normal', text: 'Exports are empty' };

/** The error a log is refused with. */
function refusal(text: string, options = {}): EventLogError {
  try {
    parseEventLog(text, ctx, options);
  } catch (err) {
    if (err instanceof EventLogError) return err;
    throw err;
  }
  throw new Error('the log was accepted');
}

describe('reading an event log', () => {
  it('reads each event with its time in ms, who acted and its fields; the tier comes from the customer', () => {
    const events = parseEventLog(
      lines(
        { ...OPENED, severityGuessed: true, messageId: '1712345678.000100' },
        { at: '2026-03-02T10:20:00+01:00', type: 'staff_reply', by: 'alice' },
        { at: '2026-03-02T09:30:00Z', type: 'customer_message', by: 'slack:U0DANA', text: 'any news?' },
        { at: '2026-03-02T09:40:00Z', type: 'severity_changed', by: 'alice', byUser: 'slack:U0ALICE', byName: 'Alice Chen', severity: 'high' },
        { at: '2026-03-02T09:45:00Z', type: 'tier_changed', tier: 'standard' },
        { at: '2026-03-02T10:00:00.250Z', type: 'resolved', by: 'discord:111' },
      ),
      ctx,
    );
    expect(events).toEqual([
      { type: 'opened', at: at('2026-03-02T09:00:00Z'), messageId: '1712345678.000100', customer: 'acme', tier: 'enterprise', severity: 'normal', severityGuessed: true, text: 'Exports are empty' },
      { type: 'staff_reply', at: at('2026-03-02T09:20:00Z'), by: { platform: 'shell', userId: 'alice', personId: 'alice' } },
      { type: 'customer_message', at: at('2026-03-02T09:30:00Z'), by: { platform: 'slack', userId: 'U0DANA' }, text: 'any news?' },
      { type: 'severity_changed', at: at('2026-03-02T09:40:00Z'), by: { platform: 'slack', userId: 'U0ALICE', personId: 'alice', name: 'Alice Chen' }, severity: 'high' },
      { type: 'tier_changed', at: at('2026-03-02T09:45:00Z'), tier: 'standard' },
      { type: 'resolved', at: at('2026-03-02T10:00:00.250Z'), by: { platform: 'discord', userId: '111' } },
    ]);
  });

  it('takes an explicit tier over the customer\'s, and a customer not in the config when the tier is given', () => {
    expect(parseEventLog(lines({ ...OPENED, tier: 'standard' }), ctx)[0]).toMatchObject({ tier: 'standard' });
    expect(parseEventLog(lines({ ...OPENED, customer: 'initech', tier: 'standard' }), ctx)[0]).toMatchObject({ customer: 'initech', tier: 'standard' });
  });

  it('skips blank lines, Windows line ends and the other records of an export (lines with a "kind")', () => {
    const text = ['', JSON.stringify({ kind: 'channel', platform: 'slack', channelId: 'C0ACME', cursor: '1.2' }), JSON.stringify(OPENED), '   ', JSON.stringify({ at: '2026-03-02T09:05:00Z', type: 'claimed', by: 'bob' }), ''].join('\r\n');
    expect(parseEventLog(text, ctx).map((e) => e.type)).toEqual(['opened', 'claimed']);
  });

  it('reads a log line by line (a file as a stream) the same as the whole text', async () => {
    const text = lines(OPENED, { at: '2026-03-02T09:05:00Z', type: 'waiting_on_customer', by: 'bob' }, { at: '2026-03-02T09:06:00Z', type: 'customer_message', text: 'here you go' });
    async function* stream() {
      for (const line of text.split('\n')) yield line;
    }
    expect(await parseEventLines(stream(), ctx)).toEqual(parseEventLog(text, ctx));
  });

  it('picks one ticket out of an export of several, and says which to choose when none is asked for', () => {
    const text = lines(
      { ticket: 1, ...OPENED },
      { ticket: 2, ...OPENED, customer: 'globex', at: '2026-03-02T09:01:00Z' },
      { ticket: 1, at: '2026-03-02T09:10:00Z', type: 'staff_reply', by: 'alice' },
      { ticket: 2, at: '2026-03-02T09:11:00Z', type: 'resolved', by: 'bob' },
    );
    expect(parseEventLog(text, ctx, { ticket: 2 }).map((e) => e.type)).toEqual(['opened', 'resolved']);
    expect(parseEventLog(text, ctx, { ticket: 2 })[0]).toMatchObject({ customer: 'globex', tier: 'standard' });
    expect(refusal(text)).toMatchObject({ line: 2, message: 'line 2: the log holds several tickets (1, 2, …): choose one (slawatch replay --ticket <id>)' });
    expect(refusal(text, { ticket: 7 }).message).toBe('line 1: ticket 7 is not in this log');
    expect(refusal(lines(OPENED), { ticket: 1 }).message).toBe('line 1: no "ticket" field: selecting ticket 1 needs an exported log of several tickets');
  });
});

describe('refusing a bad log, naming the line', () => {
  const second = (event: object) => lines(OPENED, event);

  it.each([
    ['not JSON', `${JSON.stringify(OPENED)}\n{"at": "2026-03-02T09:05:00Z", "type":`, 2, /^line 2: not valid JSON/],
    ['not an object', `${JSON.stringify(OPENED)}\n["claimed"]`, 2, /^line 2: expected a JSON object$/],
    ['no type', second({ at: '2026-03-02T09:05:00Z' }), 2, /^line 2: missing "type"$/],
    ['an unknown type', second({ at: '2026-03-02T09:05:00Z', type: 'escalated' }), 2, /^line 2: unknown type "escalated" \(expected one of opened, customer_message, .*message_deleted, rated\)$/],
    ['no time', second({ type: 'claimed' }), 2, /^line 2: missing "at"/],
    ['a time without a zone', second({ at: '2026-03-02T09:05:00', type: 'claimed' }), 2, /^line 2: "at" is not an ISO time with a zone: "2026-03-02T09:05:00"$/],
    ['a first event that is not "opened"', lines({ at: '2026-03-02T09:05:00Z', type: 'claimed' }), 1, /^line 1: the first event must be "opened"$/],
    ['a second "opened"', second(OPENED), 2, /^line 2: "opened" may only be the first event$/],
    ['an event before the one above it', second({ at: '2026-03-02T08:59:59Z', type: 'claimed' }), 2, /^line 2: events must be in time order \(2026-03-02T08:59:59Z is before the previous event\)$/],
    ['an unknown severity', lines({ ...OPENED, severity: 'P1' }), 1, /^line 1: "severity" must be one of urgent, high, normal, low$/],
    ['an unknown customer without a tier', lines({ ...OPENED, customer: 'initech' }), 1, /^line 1: unknown customer "initech" \(and no "tier" given\)$/],
    ['an unknown tier', lines({ ...OPENED, tier: 'platinum' }), 1, /^line 1: unknown tier "platinum"$/],
    ['"opened" without a customer', lines({ at: OPENED.at, type: 'opened', severity: 'normal' }), 1, /^line 1: "opened" needs "customer"$/],
    ['a tier change to an unknown tier', second({ at: '2026-03-02T09:05:00Z', type: 'tier_changed', tier: 'gold' }), 2, /^line 2: "tier_changed" needs a known "tier"$/],
    ['an empty "by"', second({ at: '2026-03-02T09:05:00Z', type: 'claimed', by: '' }), 2, /^line 2: "by" must be a person id$/],
    ['"byUser" without "by"', second({ at: '2026-03-02T09:05:00Z', type: 'claimed', byUser: 'slack:U0ALICE' }), 2, /^line 2: "byUser" and "byName" need "by"$/],
    ['"byUser" with a platform user in "by"', second({ at: '2026-03-02T09:05:00Z', type: 'claimed', by: 'slack:U0ALICE', byUser: 'slack:U0ALICE' }), 2, /^line 2: "byUser" goes with a person id/],
    ['a "byUser" that names no platform', second({ at: '2026-03-02T09:05:00Z', type: 'claimed', by: 'alice', byUser: 'U0ALICE' }), 2, /^line 2: "byUser" must be "<platform>:<user id>"/],
    ['an event the ticket\'s state does not allow', lines(OPENED, { at: '2026-03-02T09:05:00Z', type: 'closed' }, { at: '2026-03-02T09:06:00Z', type: 'waiting_on_customer' }), 3, /^line 3: "waiting_on_customer" cannot happen here: a closed ticket cannot wait on the customer$/],
    ['a reopening of a ticket that is not resolved', second({ at: '2026-03-02T09:05:00Z', type: 'reopened' }), 2, /^line 2: "reopened" cannot happen here: only a resolved ticket can be reopened \(this one is open\)$/],
    ['a "ticket" on some lines only', lines({ ticket: 1, ...OPENED }, { at: '2026-03-02T09:05:00Z', type: 'claimed' }), 2, /^line 2: missing "ticket": the lines before carry one$/],
    ['a "ticket" that is not a number', lines({ ticket: 'one', ...OPENED }), 1, /^line 1: "ticket" must be a ticket number$/],
  ])('%s', (_what, text, line, message) => {
    const err = refusal(text);
    expect(err.line).toBe(line);
    expect(err.message).toMatch(message);
  });

  it('an empty log', () => {
    expect(refusal('\n\n').message).toBe('line 1: the log is empty: expected an "opened" event');
  });
  it('reads Feishu/Lark accounts like the other platforms\'', () => {
    const events = parseEventLog(lines(OPENED, { at: '2026-03-02T09:20:00Z', type: 'staff_reply', by: 'alice', byUser: 'lark:ou_alice' }, { at: '2026-03-02T09:30:00Z', type: 'customer_message', by: 'lark:ou_dana', text: 'thanks' }), ctx);
    expect(events[1]?.by).toEqual({ platform: 'lark', userId: 'ou_alice', personId: 'alice' });
    expect(events[2]?.by).toEqual({ platform: 'lark', userId: 'ou_dana' });
    expect(toLogLine(events[1]!)).toMatchObject({ by: 'alice', byUser: 'lark:ou_alice' });
  });
});

describe('writing an event log', () => {
  it('writes fields in a fixed order, `by` as a person id (with the platform account when it adds something), and reads back as the same events', () => {
    const text = lines(
      { ...OPENED, severityGuessed: true, messageId: 'm1' },
      { at: '2026-03-02T09:20:00Z', type: 'staff_reply', by: 'alice', byUser: 'slack:U0ALICE', byName: 'Alice Chen', messageId: 'm2' },
      { at: '2026-03-02T09:30:00Z', type: 'customer_message', by: 'slack:U0DANA', text: 'thanks' },
      { at: '2026-03-02T09:31:00Z', type: 'message_edited', messageId: 'm3', text: 'thanks!' },
      { at: '2026-03-02T09:40:00Z', type: 'resolved', by: 'bob' },
    );
    const events = parseEventLog(text, ctx);
    const written = events.map(toLogLine);
    expect(Object.keys(written[0]!)).toEqual(['at', 'type', 'customer', 'tier', 'severity', 'severityGuessed', 'text', 'messageId']);
    expect(written[1]).toEqual({ at: '2026-03-02T09:20:00Z', type: 'staff_reply', messageId: 'm2', by: 'alice', byUser: 'slack:U0ALICE', byName: 'Alice Chen' });
    expect(written[2]).toEqual({ at: '2026-03-02T09:30:00Z', type: 'customer_message', text: 'thanks', by: 'slack:U0DANA' });
    expect(written[4]).toEqual({ at: '2026-03-02T09:40:00Z', type: 'resolved', by: 'bob' });
    expect(parseEventLog(lines(...written), ctx)).toEqual(events);
  });
});
