/**
 * Socket Mode: the app opens a WebSocket to Slack (apps.connections.open
 * with SLACK_APP_TOKEN) and receives everything over it; nothing listens on
 * a port. Ready while the socket is connected.
 */
import type { AddressInfo } from 'node:net';
import { SocketModeReceiver, type Logger as BoltLogger } from '@slack/bolt';
import { describe, type Logger } from '../../src/service/logger.js';
import { PlatformRejected } from '../platform.js';
import type { SlackEnv } from './env.js';
import type { SlackTransport } from './transport.js';
import { rejectedToken, type WebClientOptions } from './web-client.js';

export class SocketTransport implements SlackTransport {
  readonly mode = 'socket' as const;
  readonly receiver: SocketModeReceiver;
  private connected = false;
  private stopping = false;

  constructor(env: SlackEnv, log: Logger, boltLog: BoltLogger, options: WebClientOptions) {
    this.receiver = new SocketModeReceiver({
      appToken: env.appToken as string,
      logger: boltLog,
      // apps.connections.open goes to SLACK_API_URL too. The Socket Mode client reconnects by itself, and a
      // reconnection whose apps.connections.open gives up is an unhandled rejection that ends the process:
      // never give up on a network failure (1 s doubling to a minute, randomised). A refused app token still
      // fails at once — at start a clear PlatformRejected, in a reconnection the end of the process.
      installerOptions: { clientOptions: { ...options, retryConfig: { retries: 10, forever: true, factor: 2, minTimeout: 1_000, maxTimeout: 60_000, randomize: true } } },
    });
    // The client says `connected` on Slack's hello. A dropped socket says only `close` at once, and
    // `reconnecting` a few seconds later, when it tries again.
    let dropped = false;
    this.receiver.client.on('connected', () => {
      this.connected = true;
      if (dropped) log.info({}, 'Slack: Socket Mode connected again');
      dropped = false;
    });
    for (const state of ['close', 'disconnected', 'reconnecting', 'disconnecting']) {
      this.receiver.client.on(state, () => {
        if (this.connected && !this.stopping && state !== 'disconnecting') {
          dropped = true;
          log.warn({ state }, 'Slack: Socket Mode connection lost; the client reconnects by itself');
        }
        this.connected = false;
      });
    }
  }

  async start(): Promise<void> {
    try {
      await this.receiver.start();
    } catch (err) {
      throw startError(err);
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.receiver.stop();
    this.connected = false;
  }

  ready(): boolean {
    return this.connected;
  }

  address(): AddressInfo | undefined {
    return undefined;
  }
}

/** Why Socket Mode could not start: a refused app token stops the start, anything else is tried again. */
function startError(err: unknown): Error {
  const refused = rejectedToken(err);
  if (refused) return new PlatformRejected(`Slack rejected SLACK_APP_TOKEN (apps.connections.open: ${refused}). Check that it is an app-level token with the connections:write scope.`, { cause: err });
  return new Error(`could not open a Socket Mode connection: ${describe(err)}`, { cause: err });
}
