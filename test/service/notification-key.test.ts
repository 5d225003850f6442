/**
 * Notification keys are stored (delivery records, the messages kept for a
 * resend, Slack metadata, Discord embed footers): written and read back by
 * one module, their text exactly what stores already hold.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PLATFORMS } from '../../src/domain/ticket.js';
import { CLOCK_KINDS } from '../../src/domain/vocabulary.js';
import { stepKey } from '../../src/escalation/ladder.js';
import { formatKey, joinKeys, parseKey, recordKey, splitKeys, type NotificationKey } from '../../src/service/notification-key.js';

describe('notification keys', () => {
  it('are written as stores hold them', () => {
    expect(formatKey({ kind: 'step', ticketId: 42, step: 'firstResponse:0:warning:0.5' })).toBe('42/firstResponse:0:warning:0.5');
    expect(formatKey({ kind: 'step', ticketId: 42, step: 'firstResponse:0:level1:0', copyTo: 'C0OPS' })).toBe('42/firstResponse:0:level1:0@C0OPS');
    expect(formatKey({ kind: 'ack', ticketId: 7 })).toBe('7/ack');
    expect(formatKey({ kind: 'notice', record: 'incident', id: 'inc-3', step: 0, platform: 'slack', channelId: 'C0ACME' })).toBe('incident:incident:inc-3/0/slack:C0ACME');
    expect(formatKey({ kind: 'notice', record: 'maintenance', id: 'mnt-1', step: 2, platform: 'discord', channelId: '200000000000000001' })).toBe(
      'incident:maintenance:mnt-1/2/discord:200000000000000001',
    );
  });

  it('are read back from what stores hold', () => {
    expect(parseKey('42/resolution:1:level2:1')).toEqual({ kind: 'step', ticketId: 42, step: 'resolution:1:level2:1' });
    expect(parseKey('42/resolution:1:level2:1@C0OPS')).toEqual({ kind: 'step', ticketId: 42, step: 'resolution:1:level2:1', copyTo: 'C0OPS' });
    expect(parseKey('7/ack')).toEqual({ kind: 'ack', ticketId: 7 });
    expect(parseKey('incident:incident:am-3f2a-20261103T100000Z/1/shell:acme')).toEqual({
      kind: 'notice',
      record: 'incident',
      id: 'am-3f2a-20261103T100000Z',
      step: 1,
      platform: 'shell',
      channelId: 'acme',
    });
    for (const text of ['', 'ack', 'x/step', '42/', '42/a/b', 'incident:outage:x/0/slack:C1', 'incident:incident:x/0/irc:C1', 'incident:incident:x/first/slack:C1']) {
      expect(parseKey(text), text).toBeUndefined();
    }
  });

  it('name the delivery record they are kept under: a step, or a notice\'s channel', () => {
    expect(recordKey({ kind: 'step', ticketId: 42, step: 'firstResponse:0:level1:0', copyTo: 'C0OPS' })).toBe('firstResponse:0:level1:0');
    expect(recordKey({ kind: 'notice', record: 'incident', id: 'inc-3', step: 0, platform: 'slack', channelId: 'C0ACME' })).toBe('0/slack:C0ACME');
  });

  it('read back every key they write', () => {
    const channel = fc.stringMatching(/^[A-Za-z0-9_.@/:-]{1,20}$/);
    const step = fc
      .record({ clock: fc.constantFrom(...CLOCK_KINDS), cycle: fc.nat(5), level: fc.integer({ min: 1, max: 4 }), repeat: fc.nat(3), warning: fc.boolean() })
      .map((s) => (s.warning ? stepKey(s.clock, s.cycle, 'warning', null, 0, 0.75) : stepKey(s.clock, s.cycle, 'breach', s.level, s.repeat)));
    const key: fc.Arbitrary<NotificationKey> = fc.oneof(
      fc.record({ kind: fc.constant('step' as const), ticketId: fc.integer({ min: 1, max: 1e9 }), step }),
      fc.record({ kind: fc.constant('step' as const), ticketId: fc.integer({ min: 1, max: 1e9 }), step, copyTo: channel }),
      fc.record({ kind: fc.constant('ack' as const), ticketId: fc.integer({ min: 1, max: 1e9 }) }),
      fc.record({
        kind: fc.constant('notice' as const),
        record: fc.constantFrom<'incident' | 'maintenance'>('incident', 'maintenance'),
        id: fc.stringMatching(/^[A-Za-z0-9_.:-]{1,30}$/),
        step: fc.nat(50),
        platform: fc.constantFrom(...PLATFORMS),
        channelId: channel,
      }),
    );
    fc.assert(
      fc.property(key, (k) => {
        expect(parseKey(formatKey(k))).toEqual(k);
      }),
    );
  });

  it('of a coalesced message travel as one, and come apart again', () => {
    const keys = ['1/firstResponse:0:warning:0.5', '2/resolution:0:level1:0@C0OPS'];
    expect(joinKeys(keys)).toBe('1/firstResponse:0:warning:0.5|2/resolution:0:level1:0@C0OPS');
    expect(splitKeys(joinKeys(keys))).toEqual(keys);
  });
});
