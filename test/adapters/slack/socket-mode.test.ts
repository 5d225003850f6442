/**
 * Socket Mode with the real Bolt SocketModeReceiver: apps.connections.open
 * (on the fake Web API) points the client at a local WebSocket server that
 * plays Slack's side — `hello`, then envelopes — and checks the acks.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';
import { FakeSlack } from '../../../testkit/fake-slack.js';
import { eventCallback, messageEvent, slashCommand } from '../../../testkit/slack-requests.js';
import { ACME, CUSTOMER, Harness } from './harness.js';

const APP_TOKEN = 'xapp-1-A0SLAWATCH-1234567890-0123456789abcdef0123456789abcdef';

let h: Harness;
let wss: WebSocketServer;
let socket: WebSocket | undefined;
const received: Record<string, unknown>[] = [];

beforeEach(async () => {
  received.length = 0;
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data: Buffer) => received.push(JSON.parse(data.toString()) as Record<string, unknown>));
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'applink-local', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0SLAWATCH' } }));
  });
  const fake = await FakeSlack.start();
  fake.socketUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
  h = await Harness.start({ fake, env: { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '' } });
});

afterEach(async () => {
  await h.stop();
  for (const client of wss.clients) client.terminate();
  await new Promise<void>((resolve) => wss.close(() => resolve()));
});

function ackFor(envelopeId: string) {
  return h.fake.waitFor(() => received.find((m) => m.envelope_id === envelopeId), `the ack of envelope ${envelopeId}`);
}

describe('Socket Mode', () => {
  it('connects through apps.connections.open with the app token and is ready after hello', () => {
    const open = h.fake.calls.find((c) => c.method === 'apps.connections.open');
    expect(open?.token).toBe(APP_TOKEN);
    expect(h.connection.transport.mode).toBe('socket');
    expect(h.connection.ready()).toBe(true);
  });

  it('acks an events_api envelope and opens the ticket', async () => {
    const ts = h.ts();
    const envelope = 'd2f1a3b4-0000-4c1e-9d5e-events000001';
    socket!.send(
      JSON.stringify({
        envelope_id: envelope,
        payload: eventCallback(messageEvent({ channel: ACME, user: CUSTOMER, text: 'Socket mode question', ts })),
        type: 'events_api',
        accepts_response_payload: false,
        retry_attempt: 0,
        retry_reason: '',
      }),
    );
    expect(await ackFor(envelope)).toEqual({ envelope_id: envelope, payload: {} });
    await h.fake.channel(ACME).thread(ts).expectMessage(/Ticket #1 opened for Acme Corp/);
    expect(await h.ticketCount()).toBe(1);
  });

  it('answers a slash command in its ack', async () => {
    const envelope = 'd2f1a3b4-0000-4c1e-9d5e-command00001';
    socket!.send(JSON.stringify({ envelope_id: envelope, payload: slashCommand({ user_id: CUSTOMER, channel_id: ACME, text: 'claim 1' }), type: 'slash_commands', accepts_response_payload: true }));
    const ack = await ackFor(envelope);
    expect(ack.payload).toMatchObject({ response_type: 'ephemeral', text: expect.stringMatching(/only the support team/) });
  });
});
