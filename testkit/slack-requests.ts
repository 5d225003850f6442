/**
 * Requests as Slack sends them to an app's Request URL: signed with the
 * signing secret (`v0=` HMAC-SHA256 of `v0:<timestamp>:<body>`), with
 * payloads shaped like the examples in Slack's documentation — Events API
 * envelopes (event_callback, url_verification), slash command form bodies,
 * and interactivity `payload=` form bodies (block_actions, message_action).
 */
import { createHmac, randomUUID } from 'node:crypto';

export type Payload = Record<string, unknown>;

export function signature(secret: string, timestampSec: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex')}`;
}

export interface SendOptions {
  /** Request timestamp (seconds); default now. */
  timestampSec?: number;
  /** Override the signature: a wrong one, or null for none at all. */
  signature?: string | null;
  /** X-Slack-Retry-Num / -Reason: a redelivery. */
  retryNum?: number;
  retryReason?: string;
  /** Give up on the answer after this long (Slack waits 3 s); the promise then rejects. */
  timeoutMs?: number;
}

export interface SlackResponse {
  status: number;
  text: string;
  json(): Payload;
}

/** Sends signed requests to a Bolt app's endpoint. */
export class SlackRequests {
  constructor(
    readonly url: string,
    private readonly signingSecret: string,
  ) {}

  async send(body: string, contentType: string, options: SendOptions = {}): Promise<SlackResponse> {
    const timestamp = options.timestampSec ?? Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = { 'content-type': contentType };
    const sig = options.signature === undefined ? signature(this.signingSecret, timestamp, body) : options.signature;
    if (sig !== null) {
      headers['x-slack-signature'] = sig;
      headers['x-slack-request-timestamp'] = String(timestamp);
    }
    if (options.retryNum !== undefined) {
      headers['x-slack-retry-num'] = String(options.retryNum);
      headers['x-slack-retry-reason'] = options.retryReason ?? 'http_timeout';
    }
    const response = await fetch(this.url, { method: 'POST', headers, body, ...(options.timeoutMs ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}) });
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as Payload };
  }

  /** An Events API delivery (`event_callback`) of `event`. */
  event(event: Payload, options: SendOptions & { eventId?: string } = {}): Promise<SlackResponse> {
    return this.send(JSON.stringify(eventCallback(event, options.eventId)), 'application/json', options);
  }

  urlVerification(challenge: string, options: SendOptions = {}): Promise<SlackResponse> {
    return this.send(JSON.stringify({ token: 'Jhj5dZrVaK7ZwHHjRyZWjbDl', challenge, type: 'url_verification' }), 'application/json', options);
  }

  /** A slash command (form body). */
  command(fields: SlashCommandFields, options: SendOptions = {}): Promise<SlackResponse> {
    return this.send(new URLSearchParams(slashCommand(fields)).toString(), 'application/x-www-form-urlencoded', options);
  }

  /** An interactivity request: `payload=<json>`. */
  interaction(payload: Payload, options: SendOptions = {}): Promise<SlackResponse> {
    return this.send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), 'application/x-www-form-urlencoded', options);
  }
}

export const TEAM_ID = 'T0OURTEAM';
export const APP_ID = 'A0SLAWATCH';

/** The Events API envelope around an event (docs: "Callback field overview"). */
export function eventCallback(event: Payload, eventId = `Ev${randomUUID().replace(/-/g, '').slice(0, 10).toUpperCase()}`): Payload {
  return {
    token: 'XXYYZZ',
    team_id: TEAM_ID,
    api_app_id: APP_ID,
    event,
    type: 'event_callback',
    authorizations: [{ enterprise_id: null, team_id: TEAM_ID, user_id: 'U0SLAWATCH', is_bot: true, is_enterprise_install: false }],
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
    event_context: '4-eyJldCI6Im1lc3NhZ2UiLCJ0aWQiOiJUME9VUlRFQU0ifQ',
    is_ext_shared_channel: false,
  };
}

export interface MessageFields {
  channel: string;
  user: string;
  text: string;
  ts: string;
  thread_ts?: string;
  /** Slack Connect: the author's own workspace. */
  user_team?: string;
  subtype?: string;
  bot_id?: string;
}

/** A `message` event (docs: message.channels). Text is given as Slack sends it (already escaped). */
export function messageEvent(fields: MessageFields): Payload {
  return {
    type: 'message',
    channel: fields.channel,
    user: fields.user,
    text: fields.text,
    ts: fields.ts,
    event_ts: fields.ts,
    channel_type: 'channel',
    client_msg_id: randomUUID(),
    team: fields.user_team ?? TEAM_ID,
    ...(fields.user_team ? { user_team: fields.user_team, source_team: fields.user_team } : {}),
    ...(fields.thread_ts ? { thread_ts: fields.thread_ts, parent_user_id: 'U0SOMEONE' } : {}),
    ...(fields.subtype ? { subtype: fields.subtype } : {}),
    ...(fields.bot_id ? { bot_id: fields.bot_id } : {}),
    blocks: [{ type: 'rich_text', block_id: 'b1', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: fields.text }] }] }],
  };
}

/** `message_changed` (docs: message/message_changed). */
export function messageChanged(fields: { channel: string; user: string; ts: string; text: string; previousText: string; editedTs: string }): Payload {
  return {
    type: 'message',
    subtype: 'message_changed',
    hidden: true,
    channel: fields.channel,
    ts: fields.editedTs,
    event_ts: fields.editedTs,
    message: { type: 'message', user: fields.user, text: fields.text, ts: fields.ts, edited: { user: fields.user, ts: fields.editedTs } },
    previous_message: { type: 'message', user: fields.user, text: fields.previousText, ts: fields.ts },
  };
}

/** `message_deleted` (docs: message/message_deleted). */
export function messageDeleted(fields: { channel: string; deletedTs: string; ts: string; user?: string; text?: string }): Payload {
  return {
    type: 'message',
    subtype: 'message_deleted',
    hidden: true,
    channel: fields.channel,
    ts: fields.ts,
    event_ts: fields.ts,
    deleted_ts: fields.deletedTs,
    previous_message: { type: 'message', user: fields.user ?? 'U0CUSTOMER', text: fields.text ?? 'gone', ts: fields.deletedTs },
  };
}

/** `reaction_added` (docs: reaction_added). */
export function reactionAdded(fields: { user: string; reaction: string; channel: string; ts: string; itemUser?: string }): Payload {
  return {
    type: 'reaction_added',
    user: fields.user,
    reaction: fields.reaction,
    item_user: fields.itemUser ?? 'U0CUSTOMER',
    item: { type: 'message', channel: fields.channel, ts: fields.ts },
    event_ts: `${Math.floor(Date.now() / 1000)}.000100`,
  };
}

/** `app_home_opened` (docs: app_home_opened). */
export function appHomeOpened(user: string): Payload {
  return { type: 'app_home_opened', user, channel: 'D0APPHOME', event_ts: `${Math.floor(Date.now() / 1000)}.000200`, tab: 'home' };
}

export interface SlashCommandFields {
  user_id: string;
  channel_id: string;
  text: string;
  command?: string;
  response_url?: string;
  user_name?: string;
  channel_name?: string;
}

/** The form fields of a slash command (docs: "Implementing slash commands"). */
export function slashCommand(fields: SlashCommandFields): Record<string, string> {
  return {
    token: 'gIkuvaNzQIHg97ATvDxqgjtO',
    team_id: TEAM_ID,
    team_domain: 'example',
    channel_id: fields.channel_id,
    channel_name: fields.channel_name ?? 'support',
    user_id: fields.user_id,
    user_name: fields.user_name ?? 'someone',
    command: fields.command ?? '/sla',
    text: fields.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: fields.response_url ?? 'https://hooks.slack.com/commands/1234/5678',
    trigger_id: '13345224609.738474920.8088930838d88f008e0',
  };
}

/** A `block_actions` payload for one button or select (docs: block_actions payloads). */
export function blockActions(fields: {
  user: string;
  userTeam?: string;
  channel: string;
  messageTs: string;
  action: Payload;
  responseUrl?: string;
  ephemeral?: boolean;
}): Payload {
  return {
    type: 'block_actions',
    team: { id: TEAM_ID, domain: 'example' },
    user: { id: fields.user, username: 'someone', name: 'someone', team_id: fields.userTeam ?? TEAM_ID },
    api_app_id: APP_ID,
    token: '9s8d9as89d8as9d8as989',
    container: { type: 'message', message_ts: fields.messageTs, channel_id: fields.channel, is_ephemeral: fields.ephemeral ?? false },
    trigger_id: '12466734323.1395872398.8ad1b5fb9ba5d6a48f3d8b1fd1dfc4e8',
    channel: { id: fields.channel, name: 'support-staff' },
    ...(fields.ephemeral ? {} : { message: { type: 'message', user: 'U0SLAWATCH', bot_id: 'B0SLAWATCH', text: 'a slawatch message', ts: fields.messageTs } }),
    response_url: fields.responseUrl ?? 'https://hooks.slack.com/actions/AABA1ABCD/1232321423432/D09sSasdasdAS9091209',
    actions: [{ block_id: 'slawatch_ticket', action_ts: `${Math.floor(Date.now() / 1000)}.840180`, ...fields.action }],
  };
}

export function button(actionId: string, value: string, label = 'Button'): Payload {
  return { type: 'button', action_id: actionId, value, text: { type: 'plain_text', text: label, emoji: true } };
}

export function staticSelect(actionId: string, value: string): Payload {
  return { type: 'static_select', action_id: actionId, selected_option: { text: { type: 'plain_text', text: value, emoji: true }, value }, placeholder: { type: 'plain_text', text: 'Severity' } };
}

/** A message shortcut (`message_action`; docs: "Message shortcuts"). */
export function messageAction(fields: { callbackId?: string; user: string; channel: string; message: Payload; responseUrl?: string }): Payload {
  return {
    type: 'message_action',
    token: 'Nj2rfC2hU8mAfgaJLemZgO7H',
    action_ts: `${Math.floor(Date.now() / 1000)}.371594`,
    team: { id: TEAM_ID, domain: 'example' },
    user: { id: fields.user, username: 'someone', team_id: TEAM_ID, name: 'someone' },
    channel: { id: fields.channel, name: 'acme-support' },
    callback_id: fields.callbackId ?? 'open_ticket',
    trigger_id: '944799105734.773906753841.38b5894552bdd4a780554ee59d1f3638',
    message_ts: fields.message.ts,
    message: { type: 'message', client_msg_id: randomUUID(), ...fields.message },
    response_url: fields.responseUrl ?? 'https://hooks.slack.com/app/T0OURTEAM/945/9BIdS6YkLQeMBOukqGbzyA2s',
  };
}
