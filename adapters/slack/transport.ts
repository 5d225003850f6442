/**
 * How Slack's events, commands and button clicks reach the app: over HTTP
 * (http-transport.ts, the default) or over a Socket Mode connection
 * (socket-transport.ts, when SLACK_APP_TOKEN is set). Either one is a Bolt
 * receiver the app is built on, and this small lifecycle.
 */
import type { AddressInfo } from 'node:net';
import type { Receiver } from '@slack/bolt';
import type { SlackEnv } from './env.js';

export interface SlackTransport {
  readonly mode: SlackEnv['mode'];
  /** What the Bolt app receives through. */
  readonly receiver: Receiver;
  /** Listens (HTTP) or connects (Socket Mode). A refused token is a PlatformRejected. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** True while requests can reach the app: the endpoint is served, or the socket is connected. */
  ready(): boolean;
  /** HTTP, once started on a server of its own: where it listens. */
  address(): AddressInfo | undefined;
}
