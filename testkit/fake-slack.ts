/**
 * A fake Slack Web API on 127.0.0.1 (random port) for tests that run the
 * real Bolt app and WebClient against it. It records every call, keeps the
 * channels' messages (what the bot posts and what a test seeds) so that
 * conversations.history / replies answer like Slack, can answer 429 with
 * Retry-After for one channel, and answers `unknown_method` to anything it
 * does not implement. It never delivers (or redelivers) an event: tests send
 * those themselves.
 *
 * With `tiers` it enforces Slack's documented rate tiers (SLACK_TIERS): each
 * method answers 429 with Retry-After once more calls than its tier allows
 * arrive within a sliding minute (a shorter "minute" with `tiers.windowMs`,
 * for benches), and it counts calls and 429s per method.
 *
 * The assertion layer reads like the conversation it checks:
 *
 *   await slack.channel('C0STAFF').expectMessage(/BREACHED/);
 *   slack.channel('C0ACME').thread('1712345678.000100').messages();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Args = Record<string, unknown>;

export interface RecordedCall {
  method: string;
  args: Args;
  /** The bearer token the call carried (never printed by the fake). */
  token?: string;
  /** HTTP status the fake answered with. */
  status: number;
  at: number;
}

/** A message as the fake stores it (Slack's message object). */
export interface StoredMessage extends Args {
  type: 'message';
  ts: string;
  text: string;
  thread_ts?: string;
  user?: string;
  bot_id?: string;
}

/** What was POSTed to a response_url (respond(): ephemeral answers, replaced messages). */
export interface RecordedResponse {
  id: string;
  body: Args;
  at: number;
}

/**
 * Slack's rate tiers for the methods the fake implements (calls a minute per
 * app and workspace): Tier 2 ≈ 20, Tier 3 ≈ 50, Tier 4 ≈ 100. chat.postMessage
 * is limited per channel (about one a second), not by tier; not enforced here.
 */
export const SLACK_TIERS: Readonly<Record<string, number>> = {
  'conversations.history': 50,
  'conversations.replies': 50,
  'chat.update': 50,
  'chat.getPermalink': 100,
  'reactions.add': 50,
  'users.info': 100,
  'usergroups.users.list': 20,
  'views.publish': 100,
  'auth.test': 100,
};

export interface FakeSlackTiers {
  /** The length of a tier's "minute" (ms; default 60 000). */
  windowMs?: number;
  /** Limits other than SLACK_TIERS, by method. */
  limits?: Record<string, number>;
}

export interface FakeSlackOptions {
  /** Enforce Slack's rate tiers (see SLACK_TIERS). */
  tiers?: boolean | FakeSlackTiers;
  botUserId?: string;
  botId?: string;
  teamId?: string;
  /** Listen on this port (default: any free one), e.g. one the bot was told to use before the fake came up. */
  port?: number;
}

/** Fields of chat.* arguments that WebClient sends JSON-encoded inside a form body. */
const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata', 'view', 'unfurls']);

export class FakeSlack {
  readonly botUserId: string;
  readonly botId: string;
  readonly teamId: string;
  readonly calls: RecordedCall[] = [];
  readonly responses: RecordedResponse[] = [];
  /** Set to make apps.connections.open hand out a WebSocket URL (Socket Mode tests). */
  socketUrl: string | undefined;
  private readonly messages = new Map<string, StoredMessage[]>();
  private readonly groups = new Map<string, string[]>();
  private readonly guests = new Map<string, 'multi-channel' | 'single-channel'>();
  private readonly limits = new Map<string, { times: number; retryAfterSec: number }>();
  private readonly failures = new Map<string, string>();
  private tiers: Required<FakeSlackTiers> | undefined;
  /** Start times of the calls within the current tier window, by method. */
  private readonly tierStarts = new Map<string, number[]>();
  private acceptedTokens: Set<string> | undefined;
  private lastTs = 0;
  private server!: Server;
  private base = '';

  private constructor(options: FakeSlackOptions) {
    this.botUserId = options.botUserId ?? 'U0SLAWATCH';
    this.botId = options.botId ?? 'B0SLAWATCH';
    this.teamId = options.teamId ?? 'T0OURTEAM';
    if (options.tiers) this.enforceTiers(options.tiers === true ? {} : options.tiers);
  }

  static async start(options: FakeSlackOptions = {}): Promise<FakeSlack> {
    const fake = new FakeSlack(options);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    await new Promise<void>((resolve) => fake.server.listen(options.port ?? 0, '127.0.0.1', resolve));
    fake.base = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The Web API base to give the bot as SLACK_API_URL. */
  get apiUrl(): string {
    return `${this.base}/api/`;
  }

  /** A response_url that records what is posted to it. */
  responseUrl(id = String(this.responses.length + Math.random()).replace('.', '')): string {
    return `${this.base}/response/${id}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- arranging -----------------------------------------------------------

  /** A Slack timestamp later than every one handed out so far, near the real clock. */
  nextTs(atMs = Date.now()): string {
    const micros = Math.max(atMs * 1000, this.lastTs + 1);
    this.lastTs = micros;
    return `${Math.floor(micros / 1_000_000)}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  /** Puts a message into a channel's history (as if posted while the bot was not listening). Returns it. */
  seed(channel: string, message: Partial<StoredMessage> & { text: string }): StoredMessage {
    const stored = { type: 'message', ...message, ts: message.ts ?? this.nextTs() } as StoredMessage;
    this.store(channel, stored);
    return stored;
  }

  setUserGroup(groupId: string, users: string[]): void {
    this.groups.set(groupId, users);
  }

  /**
   * Makes `userId` a guest of the workspace: users.info then says
   * `is_restricted` (multi-channel), and also `is_ultra_restricted`
   * (single-channel). Everyone else is a full member of the fake's team.
   */
  setGuest(userId: string, kind: 'multi-channel' | 'single-channel'): void {
    this.guests.set(userId, kind);
  }

  /** The next `times` calls naming `channel` are answered 429 with Retry-After. */
  rateLimit(channel: string, options: { times?: number; retryAfterSec: number }): void {
    this.limits.set(channel, { times: options.times ?? 1, retryAfterSec: options.retryAfterSec });
  }

  /** Enforces the rate tiers from now on (undefined: no longer). */
  enforceTiers(tiers: FakeSlackTiers | undefined): void {
    this.tiers = tiers ? { windowMs: tiers.windowMs ?? 60_000, limits: { ...SLACK_TIERS, ...tiers.limits } } : undefined;
    this.tierStarts.clear();
  }

  /** Only these tokens are valid from now on; any other is answered invalid_auth. */
  acceptOnly(tokens: string[]): void {
    this.acceptedTokens = new Set(tokens);
  }

  /** Every call naming `channel` fails with this Slack error (e.g. not_in_channel) until cleared with undefined. */
  failChannel(channel: string, error: string | undefined): void {
    if (error) this.failures.set(channel, error);
    else this.failures.delete(channel);
  }

  /** Forgets the recorded calls and responses (not the channels' messages). */
  clearCalls(): void {
    this.calls.length = 0;
    this.responses.length = 0;
  }

  // ---- asserting -----------------------------------------------------------

  callsTo(method: string): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200);
  }

  /** Calls of `method` answered, and those answered 429 (rate limited). */
  countCalls(method: string): { answered: number; rateLimited: number } {
    const calls = this.calls.filter((c) => c.method === method);
    return { answered: calls.filter((c) => c.status === 200).length, rateLimited: calls.filter((c) => c.status === 429).length };
  }

  channel(id: string): ChannelView {
    return new ChannelView(this, id);
  }

  /** Every string the bot sent anywhere (calls and response_url posts), for checks that must hold everywhere. */
  everythingSent(): string[] {
    return [...this.calls.map((c) => JSON.stringify(c.args)), ...this.responses.map((r) => JSON.stringify(r.body))];
  }

  /** Polls until `find` returns something (or fails after `timeoutMs`). */
  async waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`fake Slack: timed out waiting for ${what}\nrecorded calls:\n${this.describeCalls()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async waitForResponse(test: RegExp | ((body: Args) => boolean), timeoutMs = 5_000): Promise<RecordedResponse> {
    const matches = (r: RecordedResponse) => (typeof test === 'function' ? test(r.body) : test.test(JSON.stringify(r.body)));
    return this.waitFor(() => this.responses.find(matches), `a response_url post matching ${String(test)}`, timeoutMs);
  }

  describeCalls(): string {
    return this.calls.map((c) => `  ${c.status} ${c.method} ${JSON.stringify(c.args).slice(0, 300)}`).join('\n');
  }

  /** Stored messages of a channel, oldest first (what conversations.history would show, replies included). */
  stored(channel: string): StoredMessage[] {
    return [...(this.messages.get(channel) ?? [])];
  }

  // ---- the Web API ---------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', this.base);
    if (url.pathname.startsWith('/response/')) {
      this.responses.push({ id: url.pathname.slice('/response/'.length), body: parseBody(raw, req.headers['content-type']), at: Date.now() });
      return send(res, 200, 'ok', 'text/plain');
    }
    if (!url.pathname.startsWith('/api/')) return send(res, 404, 'not found', 'text/plain');
    const method = url.pathname.slice('/api/'.length);
    const args = parseBody(raw, req.headers['content-type']);
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1] ?? (typeof args.token === 'string' ? args.token : undefined);
    const call: RecordedCall = { method, args, ...(token ? { token } : {}), status: 200, at: Date.now() };
    this.calls.push(call);

    const overTier = this.overTier(method, call.at);
    if (overTier !== undefined) {
      call.status = 429;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(overTier) });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const limited = typeof args.channel === 'string' ? this.limits.get(args.channel) : undefined;
    if (limited && limited.times > 0) {
      limited.times--;
      call.status = 429;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(limited.retryAfterSec) });
      res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    if (!token) return json(res, { ok: false, error: 'not_authed' });
    if (this.acceptedTokens && !this.acceptedTokens.has(token)) return json(res, { ok: false, error: 'invalid_auth' });
    const failure = typeof args.channel === 'string' ? this.failures.get(args.channel) : undefined;
    if (failure) return json(res, { ok: false, error: failure });
    json(res, this.answer(method, args, token));
  }

  /** With tiers enforced: the Retry-After (whole seconds) when `method` is over its tier at `now`, else undefined (and the call counts). */
  private overTier(method: string, now: number): number | undefined {
    const limit = this.tiers?.limits[method];
    if (!this.tiers || limit === undefined) return undefined;
    const windowMs = this.tiers.windowMs;
    const starts = this.tierStarts.get(method) ?? [];
    while (starts.length > 0 && starts[0]! <= now - windowMs) starts.shift();
    this.tierStarts.set(method, starts);
    if (starts.length >= limit) return Math.max(1, Math.ceil((starts[0]! + windowMs - now) / 1000));
    starts.push(now);
    return undefined;
  }

  private answer(method: string, args: Args, token: string): Args {
    switch (method) {
      case 'auth.test':
        return { ok: true, url: 'https://fake.slack.test/', team: 'Our Team', user: 'slawatch', team_id: this.teamId, user_id: this.botUserId, bot_id: this.botId };
      case 'apps.connections.open':
        if (!token.startsWith('xapp-')) return { ok: false, error: 'invalid_auth' };
        return this.socketUrl ? { ok: true, url: this.socketUrl } : { ok: false, error: 'unknown_method' };
      case 'chat.postMessage':
        return this.postMessage(args);
      case 'chat.update':
        return this.update(args);
      case 'chat.getPermalink': {
        const channel = String(args.channel ?? '');
        const ts = String(args.message_ts ?? '');
        if (!channel || !ts) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, channel, permalink: `https://fake.slack.test/archives/${channel}/p${ts.replace('.', '')}` };
      }
      case 'conversations.history':
        return this.history(args);
      case 'conversations.replies':
        return this.replies(args);
      case 'usergroups.users.list': {
        const users = this.groups.get(String(args.usergroup ?? ''));
        return users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
      }
      case 'users.info': {
        const user = String(args.user ?? '');
        if (!/^[UW][A-Z0-9]+$/.test(user)) return { ok: false, error: 'user_not_found' };
        const guest = this.guests.get(user);
        return {
          ok: true,
          user: {
            id: user,
            team_id: this.teamId,
            name: user.toLowerCase(),
            deleted: false,
            is_bot: user === this.botUserId,
            is_admin: false,
            is_owner: false,
            is_restricted: guest !== undefined,
            is_ultra_restricted: guest === 'single-channel',
          },
        };
      }
      case 'views.publish':
        return { ok: true, view: { id: 'V0HOME', ...(args.view as Args) } };
      case 'reactions.add':
        return { ok: true };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }

  private postMessage(args: Args): Args {
    const channel = String(args.channel ?? '');
    if (!channel) return { ok: false, error: 'channel_not_found' };
    if (typeof args.text !== 'string' && !Array.isArray(args.blocks)) return { ok: false, error: 'no_text' };
    const message: StoredMessage = {
      type: 'message',
      ts: this.nextTs(),
      text: typeof args.text === 'string' ? args.text : '',
      user: this.botUserId,
      bot_id: this.botId,
      app_id: 'A0SLAWATCH',
      ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
      ...(typeof args.thread_ts === 'string' ? { thread_ts: args.thread_ts } : {}),
      ...(args.metadata ? { metadata: args.metadata } : {}),
    };
    this.store(channel, message);
    return { ok: true, channel, ts: message.ts, message };
  }

  private update(args: Args): Args {
    const channel = String(args.channel ?? '');
    const message = this.messages.get(channel)?.find((m) => m.ts === args.ts);
    if (!message) return { ok: false, error: 'message_not_found' };
    if (typeof args.text === 'string') message.text = args.text;
    if (Array.isArray(args.blocks)) message.blocks = args.blocks;
    message.edited = { user: this.botUserId, ts: this.nextTs() };
    return { ok: true, channel, ts: message.ts, text: message.text };
  }

  private history(args: Args): Args {
    const channel = String(args.channel ?? '');
    if (!this.messages.has(channel)) return { ok: true, messages: [], has_more: false };
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    const top = this.stored(channel).filter((m) => !m.thread_ts || m.thread_ts === m.ts || m.subtype === 'thread_broadcast');
    const inRange = top.filter((m) => within(m.ts, args)).reverse();
    const page = paginate(inRange, args);
    return {
      ok: true,
      messages: page.items.map((m) => (withMetadata ? { ...m } : withoutMetadata(m))),
      has_more: page.next !== undefined,
      ...(page.next !== undefined ? { response_metadata: { next_cursor: page.next } } : {}),
    };
  }

  private replies(args: Args): Args {
    const channel = String(args.channel ?? '');
    const all = this.stored(channel);
    const given = all.find((m) => m.ts === args.ts);
    if (!given) return { ok: false, error: 'thread_not_found' };
    const rootTs = given.thread_ts ?? given.ts;
    const root = all.find((m) => m.ts === rootTs);
    const replies = all.filter((m) => m.thread_ts === rootTs && m.ts !== rootTs && within(m.ts, args));
    const page = paginate([...(root ? [root] : []), ...replies], args);
    const withMetadata = args.include_all_metadata === true || args.include_all_metadata === 'true';
    return {
      ok: true,
      messages: page.items.map((m) => (withMetadata ? { ...m } : withoutMetadata(m))),
      has_more: page.next !== undefined,
      ...(page.next !== undefined ? { response_metadata: { next_cursor: page.next } } : {}),
    };
  }

  private store(channel: string, message: StoredMessage): void {
    const list = this.messages.get(channel) ?? [];
    list.push(message);
    list.sort((a, b) => compareTs(a.ts, b.ts));
    this.messages.set(channel, list);
    if (message.thread_ts && message.thread_ts !== message.ts) {
      const root = list.find((m) => m.ts === message.thread_ts);
      if (root) {
        root.reply_count = (typeof root.reply_count === 'number' ? root.reply_count : 0) + 1;
        root.latest_reply = message.ts;
        root.thread_ts = root.ts;
      }
    }
  }
}

/** What the bot posted in one channel (or one thread of it). */
export class ChannelView {
  constructor(
    private readonly fake: FakeSlack,
    readonly id: string,
    private readonly threadTs?: string,
  ) {}

  thread(ts: string): ChannelView {
    return new ChannelView(this.fake, this.id, ts);
  }

  /** chat.postMessage calls into this channel (thread), oldest first. */
  messages(): Args[] {
    return this.fake
      .callsTo('chat.postMessage')
      .map((c) => c.args)
      .filter((a) => a.channel === this.id && (this.threadTs === undefined || a.thread_ts === this.threadTs));
  }

  updates(): Args[] {
    return this.fake
      .callsTo('chat.update')
      .map((c) => c.args)
      .filter((a) => a.channel === this.id);
  }

  /** Waits for a message whose text or blocks match; returns its arguments. */
  expectMessage(test: RegExp | ((args: Args) => boolean), timeoutMs = 5_000): Promise<Args> {
    const where = this.threadTs ? `thread ${this.threadTs} of ${this.id}` : this.id;
    return this.fake.waitFor(() => this.messages().find((a) => matches(a, test)), `a message in ${where} matching ${String(test)}`, timeoutMs);
  }

  /** Waits for an update of the message `ts`. */
  expectUpdate(ts: string, test: RegExp | ((args: Args) => boolean) = () => true, timeoutMs = 5_000): Promise<Args> {
    return this.fake.waitFor(() => this.updates().find((a) => a.ts === ts && matches(a, test)), `an update of ${ts} in ${this.id}`, timeoutMs);
  }

  /** Fails if a matching message arrives within `waitMs`. */
  async expectNoMessage(test: RegExp | ((args: Args) => boolean) = () => true, waitMs = 300): Promise<void> {
    await new Promise((r) => setTimeout(r, waitMs));
    const found = this.messages().find((a) => matches(a, test));
    if (found) throw new Error(`fake Slack: unexpected message in ${this.id}: ${JSON.stringify(found).slice(0, 500)}`);
  }
}

/** The text a person would see: the fallback text and every string in the blocks. */
export function visibleText(args: Args): string {
  return `${typeof args.text === 'string' ? args.text : ''}\n${args.blocks ? JSON.stringify(args.blocks) : ''}`;
}

function matches(args: Args, test: RegExp | ((args: Args) => boolean)): boolean {
  return typeof test === 'function' ? test(args) : test.test(visibleText(args));
}

function withoutMetadata(message: StoredMessage): Args {
  const { metadata: _hidden, ...rest } = message;
  return rest;
}

function within(ts: string, args: Args): boolean {
  const inclusive = args.inclusive === true || args.inclusive === 'true';
  if (typeof args.oldest === 'string' && args.oldest) {
    const c = compareTs(ts, args.oldest);
    if (c < 0 || (c === 0 && !inclusive)) return false;
  }
  if (typeof args.latest === 'string' && args.latest) {
    const c = compareTs(ts, args.latest);
    if (c > 0 || (c === 0 && !inclusive)) return false;
  }
  return true;
}

function paginate<T>(items: T[], args: Args): { items: T[]; next?: string } {
  const limit = Number(args.limit ?? 100) || 100;
  const start = Number(args.cursor ?? 0) || 0;
  const slice = items.slice(start, start + limit);
  return start + limit < items.length ? { items: slice, next: String(start + limit) } : { items: slice };
}

function compareTs(a: string, b: string): number {
  const [aSec = '0', aMicro = '0'] = a.split('.');
  const [bSec = '0', bMicro = '0'] = b.split('.');
  return Number(aSec) - Number(bSec) || Number(aMicro.padEnd(6, '0')) - Number(bMicro.padEnd(6, '0'));
}

function parseBody(raw: string, contentType: string | undefined): Args {
  if (!raw) return {};
  if (contentType?.includes('application/json')) {
    try {
      return JSON.parse(raw) as Args;
    } catch {
      return { _unparsed: raw };
    }
  }
  const out: Args = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (JSON_FIELDS.has(key)) {
      try {
        out[key] = JSON.parse(value);
        continue;
      } catch {
        // fall through: keep the string
      }
    }
    out[key] = value;
  }
  return out;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, body: Args): void {
  send(res, 200, JSON.stringify(body), 'application/json');
}

function send(res: ServerResponse, status: number, body: string, type: string): void {
  res.writeHead(status, { 'content-type': type });
  res.end(body);
}
