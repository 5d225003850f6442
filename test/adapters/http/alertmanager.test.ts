/**
 * `POST /hooks/alertmanager` on the bot's HTTP server with real Alertmanager
 * v4 payloads: the token, incidents opened and resolved, redeliveries, and
 * what is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mountAlertmanagerHook, parsePayload } from '../../../adapters/http/alertmanager.js';
import { HttpServer } from '../../../adapters/http/server.js';
import { silentLogger } from '../../../src/service/logger.js';
import { harness, T0, type Harness } from '../../helpers/app-harness.js';
import { RTC_EU, webhook } from './alertmanager-payloads.js';

const CONFIG = `
people: { alice: { name: Alice } }
staff: { people: [alice], channels: { shell: staff } }
customers:
  - { id: acme, name: Acme Corp, tier: enterprise, region: eu, channels: { shell: [acme, acme-ops] } }
  - { id: umbrella, name: Umbrella, tier: standard, region: eu, channels: { shell: [umbrella] } }
  - { id: globex, name: Globex, tier: standard, region: us, channels: { shell: [globex] } }
tiers:
  enterprise: { targets: { default: { firstResponse: 1h } } }
  standard: { targets: { default: { firstResponse: 4h } } }
availability: { alertLabels: { region: zone } }
`;
const TOKEN = 'hook-token-0123456789abcdef';

let http: HttpServer | undefined;
afterEach(async () => {
  await http?.close();
  http = undefined;
});

async function serve(env: NodeJS.ProcessEnv = { SLAWATCH_HOOK_TOKEN: TOKEN }): Promise<{ h: Harness; url: string; post: (body: string, token?: string | null) => Promise<Response> }> {
  const h = await harness(CONFIG, { t: T0 });
  http = new HttpServer({ port: 0, host: '127.0.0.1', readiness: [] });
  mountAlertmanagerHook(http, h.desk, env, silentLogger);
  const url = `http://127.0.0.1:${await http.listen()}/hooks/alertmanager`;
  const post = (body: string, token: string | null = TOKEN) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Alertmanager/0.27.0', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
      body,
    });
  return { h, url, post };
}

/** The labels use `zone` for the region in this config (alertLabels.region). */
const rtc = { ...RTC_EU, labels: { ...RTC_EU.labels, zone: 'eu' } };

describe('POST /hooks/alertmanager', () => {
  it('a firing alert opens an incident scoped by its labels; notices go to every channel in the region and nowhere else', async () => {
    const { h, post } = await serve();
    const response = await post(webhook([rtc]));
    expect(response.status).toBe(200);
    const id = 'am-5ef77f1f8a3ecb8d-20260302T095512Z';
    expect(await response.json()).toEqual({ opened: [id], resolved: [], unchanged: [], refused: [] });
    await h.timers.advance(0);
    for (const channel of ['acme', 'acme-ops', 'umbrella']) expect(h.port.lines(channel)).toEqual([expect.stringMatching(/^🔴 Incident: RTC down in EU · Impact: service unavailable · Since: Mon 2 Mar 09:55:12 UTC/)]);
    expect(h.port.lines('globex')).toEqual([]);
    expect(h.port.lines('staff')).toEqual([]);
    const record = await h.store.incidents().get('incident', id);
    expect(record?.events).toEqual([{ at: Date.parse('2026-03-02T09:55:12.345Z'), type: 'incident_opened', incident: id, title: 'RTC down in EU', impact: 'outage', scope: { regions: ['eu'] } }]);
  });

  it('a redelivery changes nothing and posts nothing; the resolved alert resolves it at its endsAt', async () => {
    const { h, post } = await serve();
    await post(webhook([rtc]));
    await h.timers.advance(0);
    const again = await post(webhook([rtc]));
    expect(await again.json()).toMatchObject({ opened: [], unchanged: ['am-5ef77f1f8a3ecb8d-20260302T095512Z'] });
    await h.timers.advance(60_000);
    expect(h.port.sent).toHaveLength(3);
    const resolved = await post(webhook([{ ...rtc, status: 'resolved', endsAt: '2026-03-02T10:00:42.5Z' }]));
    expect(await resolved.json()).toMatchObject({ resolved: ['am-5ef77f1f8a3ecb8d-20260302T095512Z'] });
    await h.timers.advance(0);
    expect(h.port.lines('acme')[1]).toMatch(/^✓ Resolved: RTC down in EU · Since: Mon 2 Mar 09:55:12 UTC · Resolved: Mon 2 Mar 10:00:42 UTC/);
    // The resolve delivered again, and once more after a restart of Alertmanager: nothing new.
    expect(await (await post(webhook([{ ...rtc, status: 'resolved', endsAt: '2026-03-02T10:00:42.5Z' }]))).json()).toMatchObject({ resolved: [], unchanged: ['am-5ef77f1f8a3ecb8d-20260302T095512Z'] });
    await h.timers.advance(0);
    expect(h.port.sent).toHaveLength(6);
    // The same alert firing again later is a new incident.
    const later = await post(webhook([{ ...rtc, startsAt: '2026-03-02T12:00:00Z' }]));
    expect(await later.json()).toMatchObject({ opened: ['am-5ef77f1f8a3ecb8d-20260302T120000Z'] });
  });

  it('several alerts in one payload: scoped by customer and tier, degraded by label, everyone without scope labels; unknown names refused, the rest recorded', async () => {
    const { h, post } = await serve();
    const response = await post(
      webhook([
        { status: 'firing', fingerprint: 'aa01', labels: { alertname: 'SlowExports', customer: 'globex', impact: 'degraded' }, startsAt: '2026-03-02T09:50:00Z' },
        { status: 'firing', fingerprint: 'aa02', labels: { alertname: 'APIErrors', tier: 'standard,enterprise' }, startsAt: '2026-03-02T09:51:00Z' },
        { status: 'firing', fingerprint: 'aa03', labels: { alertname: 'Everything' }, startsAt: '2026-03-02T09:52:00Z' },
        { status: 'firing', fingerprint: 'aa04', labels: { alertname: 'Mars', zone: 'mars' }, startsAt: '2026-03-02T09:53:00Z' },
      ]),
    );
    expect(await response.json()).toEqual({
      opened: ['am-aa01-20260302T095000Z', 'am-aa02-20260302T095100Z', 'am-aa03-20260302T095200Z'],
      resolved: [],
      unchanged: [],
      refused: [{ fingerprint: 'aa04', reason: 'label zone="mars": unknown region "mars"' }],
    });
    await h.timers.advance(0);
    expect(h.port.lines('globex').map((l) => l.replace(/ ·.*/, ''))).toEqual(['⚠ Incident: SlowExports', '🔴 Incident: APIErrors', '🔴 Incident: Everything']);
    expect(h.port.lines('acme').map((l) => l.replace(/ ·.*/, ''))).toEqual(['🔴 Incident: APIErrors', '🔴 Incident: Everything']);
  });

  it('a resolved alert whose firing never arrived records the whole outage', async () => {
    const { h, post } = await serve();
    await post(webhook([{ ...rtc, status: 'resolved', endsAt: '2026-03-02T09:58:00Z' }]));
    const record = await h.store.incidents().get('incident', 'am-5ef77f1f8a3ecb8d-20260302T095512Z');
    expect(record?.events.map((e) => [e.type, new Date(e.at).toISOString()])).toEqual([
      ['incident_opened', '2026-03-02T09:55:12.345Z'],
      ['incident_resolved', '2026-03-02T09:58:00.000Z'],
    ]);
  });

  it('without the right bearer token: 401 and nothing recorded', async () => {
    const { h, url, post } = await serve();
    for (const token of [null, 'wrong-token-0123456789abcdef', `${TOKEN}x`, TOKEN.slice(0, -1)]) {
      const response = await post(webhook([rtc]), token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const basic = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      body: webhook([rtc]),
    });
    expect(basic.status).toBe(401);
    await h.timers.advance(0);
    expect(h.port.sent).toEqual([]);
    expect(await h.store.incidents().get('incident', 'am-5ef77f1f8a3ecb8d-20260302T095512Z')).toBeUndefined();
  });

  it('a payload that is not Alertmanager v4 is refused (400) whole', async () => {
    const { h, post } = await serve();
    expect((await post('{"version":"4","alerts":[')).status).toBe(400);
    const v3 = await post(webhook([rtc], { version: '3' }));
    expect(v3.status).toBe(400);
    expect(await v3.json()).toEqual({ error: 'expected an Alertmanager webhook of version "4" (got "3")' });
    const bad = JSON.parse(webhook([rtc, { ...rtc, fingerprint: 'bb01' }])) as { alerts: Record<string, unknown>[] };
    bad.alerts[1]!.startsAt = 'yesterday';
    expect(await (await post(JSON.stringify(bad))).json()).toEqual({ error: 'alerts[1].startsAt must be a time' });
    expect(await h.store.incidents().get('incident', 'am-5ef77f1f8a3ecb8d-20260302T095512Z')).toBeUndefined();
  });

  it('is off without SLAWATCH_HOOK_TOKEN, or with one too short to guard anything: 404', async () => {
    for (const env of [{}, { SLAWATCH_HOOK_TOKEN: 'short' }]) {
      const { post } = await serve(env);
      expect((await post(webhook([rtc]))).status).toBe(404);
      await http?.close();
      http = undefined;
    }
  });
});

describe('parsePayload', () => {
  it('takes what the alerts say and nothing of the group; a firing alert has no end yet', () => {
    const parsed = parsePayload(webhook([rtc, { ...rtc, fingerprint: 'cc01', status: 'resolved', endsAt: '2026-03-02T10:00:00.5Z' }]));
    expect(parsed).toEqual({
      alerts: [
        { status: 'firing', fingerprint: '5ef77f1f8a3ecb8d', startsAt: Date.parse('2026-03-02T09:55:12.345Z'), labels: rtc.labels, annotations: rtc.annotations },
        { status: 'resolved', fingerprint: 'cc01', startsAt: Date.parse('2026-03-02T09:55:12.345Z'), endsAt: Date.parse('2026-03-02T10:00:00.5Z'), labels: rtc.labels, annotations: rtc.annotations },
      ],
    });
  });
});
