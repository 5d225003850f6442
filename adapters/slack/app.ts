/**
 * The Bolt app: who the bot is (auth.test), the transport the settings ask
 * for — HTTP by default, Socket Mode when SLACK_APP_TOKEN is set
 * (transport.ts) — and the app built on it.
 *
 * The Web API client rejects a 429 instead of pausing every call: the
 * per-channel queue (channel-queue.ts) waits it out for that channel alone.
 */
import { App, webApi, type Logger as BoltLogger } from '@slack/bolt';
import { isRetryable } from '../../src/service/desk-port.js';
import { describe, type Logger } from '../../src/service/logger.js';
import { PlatformRejected } from '../platform.js';
import type { WebClient } from './context.js';
import type { SlackEnv } from './env.js';
import { HttpTransport, type SharedHttpServer } from './http-transport.js';
import { SocketTransport } from './socket-transport.js';
import type { SlackTransport } from './transport.js';
import { clientOptions, rejectedToken } from './web-client.js';

export interface BotIdentity {
  userId: string;
  botId?: string;
  teamId?: string;
}

export interface SlackApp {
  app: App;
  client: WebClient;
  identity: BotIdentity;
  transport: SlackTransport;
}

/**
 * Checks the bot token (auth.test) and learns who the bot is. A token Slack
 * refuses is a PlatformRejected; anything else (Slack unreachable, a 5xx,
 * Slack's own transient errors) is worth trying again.
 */
async function identify(env: SlackEnv, logger: BoltLogger): Promise<BotIdentity> {
  const client = new webApi.WebClient(env.botToken, clientOptions(env, logger));
  try {
    const result = await client.auth.test();
    if (!result.user_id) throw new Error('auth.test answered without the bot\'s user id');
    return { userId: result.user_id, ...(result.bot_id ? { botId: result.bot_id } : {}), ...(result.team_id ? { teamId: result.team_id } : {}) };
  } catch (err) {
    const refused = rejectedToken(err);
    if (refused) throw new PlatformRejected(`Slack rejected SLACK_BOT_TOKEN (auth.test: ${refused}). Check the token, and that the app is installed to the workspace.`, { cause: err });
    if (err instanceof webApi.WebAPIPlatformError) throw new Error(`Slack answered auth.test with ${err.data.error}`, { cause: err });
    throw new Error(`could not reach the Slack Web API at ${env.apiUrl} (auth.test): ${describe(err)}`, { cause: err });
  }
}

/** The app on the transport the settings choose; `shared` serves HTTP mode on the bot's own server. */
export async function buildSlackApp(env: SlackEnv, log: Logger, boltLog: BoltLogger, shared?: SharedHttpServer): Promise<SlackApp> {
  const identity = await identify(env, boltLog);
  const options = clientOptions(env, boltLog);
  const transport: SlackTransport = env.mode === 'socket' ? new SocketTransport(env, log, boltLog, options) : new HttpTransport(env, log, boltLog, shared);
  const app = new App({
    token: env.botToken,
    receiver: transport.receiver,
    botUserId: identity.userId,
    // Known ids spare Bolt its own auth.test; an empty bot id matches no message.
    botId: identity.botId ?? '',
    tokenVerificationEnabled: false,
    deferInitialization: true,
    clientOptions: options,
    logger: boltLog,
    ignoreSelf: true,
    convoStore: false,
  });
  await app.init();
  // A listener that fails is logged and the request still answered (Slack would only redeliver the same
  // failure) — unless the desk could not take the event for now: that request is refused, so Slack redelivers it.
  app.error(async (error) => {
    const original = (error as { original?: unknown }).original ?? error;
    if (isRetryable(original)) {
      log.warn({ err: describe(original) }, 'store unavailable: event refused, Slack will redeliver it');
      throw error;
    }
    log.error({ err: describe(error) }, 'Slack listener failed');
  });
  return { app, client: app.client, identity, transport };
}
