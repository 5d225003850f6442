/**
 * A fake Discord on 127.0.0.1 for driving the real discord.js client.
 *
 * REST (under any `/api[/vN]` prefix): GET /gateway/bot, users/@me, channel
 * messages (POST with `enforce_nonce`, PATCH, GET with after/before/limit),
 * threads from a message, guild members, DM channels, interaction callbacks,
 * webhook follow-ups and edits of @original, and command registration.
 * Unknown routes answer 404 and are listed in `unhandled`.
 *
 * Gateway (the URL GET /gateway/bot returns), JSON encoding, no compression:
 * HELLO → IDENTIFY → READY + GUILD_CREATE, heartbeats and their ACKs,
 * dispatches with increasing `s`, RESUME → replay + RESUMED, INVALID_SESSION
 * (d=false), and ways to drop the connection or refuse a resume.
 *
 * Test-facing side: people post, edit and delete messages, run /sla, click
 * buttons; assertions read what the bot sent (`channel(id).expectMessage`),
 * with the request body, its `allowed_mentions` and `nonce`, and who the
 * message actually pinged under Discord's mention rules.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';

const DISCORD_EPOCH = 1_420_070_400_000n;

/** JSON as it travels; the fake builds and reads plain objects. */
export type Json = Record<string, unknown>;

export interface FakeUser {
  id: string;
  username: string;
  global_name?: string | null;
  bot?: boolean;
}

export interface FakeMember {
  user: FakeUser;
  roles: string[];
  nick?: string | null;
}

export interface FakeChannel {
  id: string;
  type: number;
  name: string;
  guild_id?: string;
  parent_id?: string;
  messages: FakeMessage[];
  /** A thread's `thread_metadata.archived` (PATCH /channels/{id} sets it). */
  archived?: boolean;
}

/** A message as Discord stores it, plus what the fake learned about it. */
export interface FakeMessage extends Json {
  id: string;
  channel_id: string;
  author: FakeUser;
  content: string;
  timestamp: string;
  embeds: Json[];
  components: Json[];
  type: number;
  flags: number;
  nonce?: string;
}

export interface Pinged {
  users: string[];
  roles: string[];
  everyone: boolean;
}

/** One message the bot made, with the request that made it. */
export interface SentRecord {
  channelId: string;
  message: FakeMessage;
  /** The request body (POST /messages, an interaction callback's data, a follow-up). */
  body: Json;
  via: 'rest' | 'interaction' | 'followup';
  /** Who Discord would have notified, given the content and `allowed_mentions`. */
  pinged: Pinged;
  at: number;
}

export interface RecordedRequest {
  method: string;
  /** The path without `/api` and version prefix, e.g. `/channels/1/messages`. */
  path: string;
  query: URLSearchParams;
  body: unknown;
  at: number;
  status?: number;
}

interface Fault {
  method: string;
  path: RegExp;
  status: number;
  body?: Json;
  headers?: Record<string, string>;
  /** Serve the request (store the message) and then answer with the fault: a response lost on the way back. */
  afterHandling?: boolean;
  remaining: number;
}

interface Session {
  id: string;
  seq: number;
  /** Dispatches kept for a resume (Discord replays what a resumed session missed). */
  buffer: { s: number; t: string; d: unknown }[];
  socket?: WebSocket;
  valid: boolean;
}

export interface FakeDiscordOptions {
  token?: string;
  applicationId?: string;
  guildId?: string;
  heartbeatIntervalMs?: number;
  /** How long a nonce is remembered for `enforce_nonce` (Discord: a few minutes). */
  nonceWindowMs?: number;
  channels?: { id: string; name: string }[];
  roles?: { id: string; name: string }[];
  members?: FakeMember[];
  /** Listen on this port (default: any free one), e.g. one the bot was told to use before the fake came up. */
  port?: number;
}

export interface InteractionRecord {
  id: string;
  token: string;
  createdAt: number;
  channelId: string;
  /** For buttons and selects: the message they were on. */
  messageId?: string;
  callbacks: { type: number; data?: Json; at: number; status: number }[];
  edits: Json[];
  followUps: SentRecord[];
  /** The message that answers the interaction (type 4 reply, the deferred placeholder, or the component's message). */
  original?: FakeMessage;
  originalDeleted: boolean;
}

let snowflakeSequence = 0n;
let lastSnowflake = 0n;

export function snowflake(at = Date.now()): string {
  let id = ((BigInt(at) - DISCORD_EPOCH) << 22n) | (snowflakeSequence++ & 0x3fffffn);
  if (id <= lastSnowflake) id = lastSnowflake + 1n;
  lastSnowflake = id;
  return id.toString();
}

const compareIds = (a: string, b: string) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0);

export class FakeDiscord {
  readonly token: string;
  readonly applicationId: string;
  readonly guildId: string;
  readonly botUser: FakeUser;
  readonly requests: RecordedRequest[] = [];
  readonly unhandled: RecordedRequest[] = [];
  readonly sent: SentRecord[] = [];
  readonly interactions = new Map<string, InteractionRecord>();
  readonly registeredCommands = new Map<string, Json[]>();
  /** Gateway facts for assertions. */
  readonly gateway = {
    connections: 0,
    identifies: [] as Json[],
    resumes: [] as Json[],
    readies: 0,
    heartbeats: 0,
    acks: 0,
    queries: [] as URLSearchParams[],
    invalidSessions: 0,
  };
  /** Times a POST was answered with the earlier message because of `enforce_nonce`. */
  nonceHits = 0;

  private readonly channels = new Map<string, FakeChannel>();
  private readonly roles: { id: string; name: string }[];
  private readonly members = new Map<string, FakeMember>();
  private readonly nonces = new Map<string, { message: FakeMessage; at: number }>();
  private readonly faults: Fault[] = [];
  private readonly sockets = new Set<WebSocket>();
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private session: Session | undefined;
  private refuseNextResume = false;
  private port = 0;
  private readonly heartbeatIntervalMs: number;
  private readonly nonceWindowMs: number;

  private constructor(options: FakeDiscordOptions) {
    this.token = options.token ?? `fake-token-${randomBytes(6).toString('hex')}`;
    this.applicationId = options.applicationId ?? '900000000000000001';
    this.guildId = options.guildId ?? '800000000000000001';
    this.heartbeatIntervalMs = options.heartbeatIntervalMs ?? 1_000;
    this.nonceWindowMs = options.nonceWindowMs ?? 5 * 60_000;
    this.botUser = { id: '900000000000000042', username: 'slawatch', global_name: null, bot: true };
    this.roles = [{ id: this.guildId, name: '@everyone' }, ...(options.roles ?? [])];
    for (const channel of options.channels ?? []) this.channels.set(channel.id, { ...channel, type: 0, guild_id: this.guildId, messages: [] });
    for (const member of options.members ?? []) this.members.set(member.user.id, member);
    this.server = createServer((req, res) => void this.handleHttp(req, res));
    this.server.on('upgrade', (req, socket, head) => this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req)));
  }

  static async start(options: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const fake = new FakeDiscord(options);
    await new Promise<void>((resolve) => fake.server.listen(options.port ?? 0, '127.0.0.1', resolve));
    fake.port = (fake.server.address() as AddressInfo).port;
    return fake;
  }

  /** What DISCORD_API_URL should be (discord.js appends `/v10`). */
  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}/gateway`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ——— people and the things they do ————————————————————————————————

  /** A guild member (created on first use); `roles` replace the member's roles when given. */
  member(id: string, username: string, roles?: string[]): FakeMember {
    const existing = this.members.get(id);
    if (existing) {
      if (roles) existing.roles = roles;
      return existing;
    }
    const member = { user: { id, username, global_name: username }, roles: roles ?? [] };
    this.members.set(id, member);
    return member;
  }

  /** A person (or another bot) posts in a channel or thread: stored, then dispatched as MESSAGE_CREATE. */
  postMessage(channelId: string, author: FakeMember | FakeUser, content: string, options: { at?: number } = {}): FakeMessage {
    const channel = this.requireChannel(channelId);
    const user = 'user' in author ? author.user : author;
    const at = options.at ?? Date.now();
    const message = this.makeMessage(channel, user, { content }, at);
    channel.messages.push(message);
    this.dispatch('MESSAGE_CREATE', this.gatewayMessage(message, channel));
    return message;
  }

  /** Sends a message's MESSAGE_CREATE again (a gateway replay). */
  redeliver(message: FakeMessage): void {
    this.dispatch('MESSAGE_CREATE', this.gatewayMessage(message, this.requireChannel(message.channel_id)));
  }

  editMessage(channelId: string, messageId: string, content: string): FakeMessage {
    const message = this.requireMessage(channelId, messageId);
    message.content = content;
    message.edited_timestamp = new Date().toISOString();
    this.dispatch('MESSAGE_UPDATE', this.gatewayMessage(message, this.requireChannel(channelId)));
    return message;
  }

  deleteMessage(channelId: string, messageId: string): void {
    const channel = this.requireChannel(channelId);
    channel.messages = channel.messages.filter((m) => m.id !== messageId);
    this.dispatch('MESSAGE_DELETE', { id: messageId, channel_id: channelId, guild_id: this.guildId });
  }

  /** `/sla <subcommand> [options]` from `member` in `channelId` (a channel or a thread). */
  slash(member: FakeMember, channelId: string, subcommand: string, options: Record<string, string | number> = {}): InteractionRecord {
    const typed = Object.entries(options).map(([name, value]) => ({ name, type: typeof value === 'number' ? 4 : 3, value }));
    return this.interact(member, channelId, 2, {
      id: '700000000000000001',
      name: 'sla',
      type: 1,
      guild_id: this.guildId,
      options: [{ type: 1, name: subcommand, options: typed }],
    });
  }

  /** The "Open ticket" message command on `target`. */
  openTicketOn(member: FakeMember, target: FakeMessage): InteractionRecord {
    return this.interact(member, target.channel_id, 2, {
      id: '700000000000000002',
      name: 'Open ticket',
      type: 3,
      guild_id: this.guildId,
      target_id: target.id,
      resolved: { messages: { [target.id]: target } },
    });
  }

  /** Clicks a button (by custom id) on a message the bot sent. */
  click(member: FakeMember, message: FakeMessage, customId: string): InteractionRecord {
    if (!findComponent(message, customId)) throw new Error(`message ${message.id} has no component "${customId}"`);
    return this.interact(member, message.channel_id, 3, { custom_id: customId, component_type: 2 }, message);
  }

  /** Picks `values` in a select menu on a message the bot sent. */
  select(member: FakeMember, message: FakeMessage, customId: string, values: string[]): InteractionRecord {
    if (!findComponent(message, customId)) throw new Error(`message ${message.id} has no component "${customId}"`);
    return this.interact(member, message.channel_id, 3, { custom_id: customId, component_type: 3, values }, message);
  }

  // ——— gateway control ————————————————————————————————————————————

  /** Cuts the connection without a close frame. `resumable: false` makes the RESUME that follows fail (op 9, d=false). */
  dropConnection(options: { resumable?: boolean } = {}): void {
    if (options.resumable === false) this.refuseNextResume = true;
    for (const socket of this.sockets) socket.terminate();
  }

  /** Sends INVALID_SESSION (d=false) on the live connection: the client must identify anew; events until then are lost. */
  invalidateSession(): void {
    const session = this.session;
    if (session) session.valid = false;
    this.session = undefined;
    for (const socket of this.sockets) if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
    this.gateway.invalidSessions++;
  }

  /** Whether a client is connected with a live session (READY or RESUMED sent). */
  get connected(): boolean {
    return Boolean(this.session?.socket && this.session.socket.readyState === WebSocket.OPEN);
  }

  // ——— faults ————————————————————————————————————————————————————

  /** The next `times` requests matching `method` and `path` get `status` (after being served, with `afterHandling`). */
  failNext(method: string, path: RegExp, fault: { status: number; body?: Json; headers?: Record<string, string>; afterHandling?: boolean; times?: number }): void {
    this.faults.push({ method, path, status: fault.status, remaining: fault.times ?? 1, ...(fault.body ? { body: fault.body } : {}), ...(fault.headers ? { headers: fault.headers } : {}), ...(fault.afterHandling ? { afterHandling: true } : {}) });
  }

  /** The next matching request is rate limited for `retryAfterSeconds` (HTTP 429 with Discord's headers). */
  rateLimitNext(method: string, path: RegExp, retryAfterSeconds: number): void {
    this.failNext(method, path, {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: retryAfterSeconds, global: false, code: 0 },
      headers: { 'retry-after': String(retryAfterSeconds), 'x-ratelimit-scope': 'user', 'x-ratelimit-limit': '5', 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': String(retryAfterSeconds) },
    });
  }

  // ——— assertions ————————————————————————————————————————————————

  channel(id: string): ChannelView {
    return new ChannelView(this, id);
  }

  messagesIn(channelId: string): FakeMessage[] {
    return [...(this.channels.get(channelId)?.messages ?? [])];
  }

  /** Whether a thread is archived. */
  isArchived(threadId: string): boolean {
    return this.channels.get(threadId)?.archived ?? false;
  }

  /** Archives a thread as Discord does after a quiet week (no event is sent). */
  archiveThread(threadId: string): void {
    this.requireChannel(threadId).archived = true;
  }

  hasChannel(id: string): boolean {
    return this.channels.has(id);
  }

  threadOf(messageId: string): FakeChannel | undefined {
    const channel = this.channels.get(messageId);
    return channel?.type === 11 ? channel : undefined;
  }

  /** Resolves when `predicate` holds (polled), or fails after `timeoutMs` with `what`. */
  async waitFor<T>(predicate: () => T | undefined | false, what: string, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 15));
    }
  }

  /** Resolves once a client has a live session (after READY or RESUMED) and `readies` READYs were sent in all. */
  async waitForSession(readies = 1, timeoutMs = 15_000): Promise<void> {
    await this.waitFor(() => this.connected && this.gateway.readies >= readies, `${readies} READY`, timeoutMs);
  }

  // ——— HTTP ——————————————————————————————————————————————————————

  private async handleHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = decodeURIComponent(url.pathname).replace(/^\/api/, '').replace(/^\/v\d+/, '');
    const text = await readBody(req);
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const record: RecordedRequest = { method: req.method ?? 'GET', path, query: url.searchParams, body, at: Date.now() };
    this.requests.push(record);
    const send = (status: number, payload?: unknown, headers: Record<string, string> = {}) => {
      record.status = status;
      // Like Discord, a 204 has no body and no content type (discord.js parses JSON by the content type).
      res.writeHead(status, { ...(payload === undefined ? {} : { 'content-type': 'application/json' }), ...headers });
      res.end(payload === undefined ? undefined : JSON.stringify(payload));
    };

    const fault = this.takeFault(record.method, path);
    if (fault && !fault.afterHandling) return send(fault.status, fault.body ?? { message: 'fault', code: 0 }, fault.headers);

    // Interaction callbacks and webhooks authenticate by their token in the path; everything else by the bot token.
    const open = path.startsWith('/interactions/') || path.startsWith('/webhooks/');
    if (!open && req.headers.authorization !== `Bot ${this.token}`) return send(401, { message: '401: Unauthorized', code: 0 });

    const result = this.route(record);
    if (!result) {
      this.unhandled.push(record);
      return send(404, { message: '404: Not Found', code: 0 });
    }
    if (fault) return send(fault.status, fault.body ?? { message: 'fault', code: 0 }, fault.headers);
    return send(result.status, result.body);
  }

  private takeFault(method: string, path: string): Fault | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && f.method === method && f.path.test(path));
    if (fault) fault.remaining--;
    return fault;
  }

  private route(req: RecordedRequest): { status: number; body?: unknown } | undefined {
    const { method, path } = req;
    const body = (req.body ?? {}) as Json;
    let m: RegExpExecArray | null;
    if (method === 'GET' && path === '/gateway/bot') {
      return { status: 200, body: { url: this.gatewayUrl, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 } } };
    }
    if (method === 'GET' && path === '/gateway') return { status: 200, body: { url: this.gatewayUrl } };
    if (method === 'GET' && path === '/users/@me') return { status: 200, body: this.botUser };
    if (method === 'POST' && path === '/users/@me/channels') {
      const recipient = this.members.get(String(body.recipient_id))?.user ?? { id: String(body.recipient_id), username: 'someone' };
      const id = `dm-${recipient.id}`;
      if (!this.channels.has(id)) this.channels.set(id, { id, type: 1, name: recipient.username, messages: [] });
      return { status: 200, body: { id, type: 1, recipients: [recipient] } };
    }
    if ((m = /^\/channels\/(\d+|dm-\d+)$/.exec(path)) && method === 'GET') {
      const channel = this.channels.get(m[1]!);
      return channel ? { status: 200, body: this.channelJson(channel) } : unknownChannel();
    }
    if ((m = /^\/channels\/(\d+)$/.exec(path)) && method === 'PATCH') {
      const channel = this.channels.get(m[1]!);
      if (!channel) return unknownChannel();
      if (typeof body.archived === 'boolean') {
        if (channel.type !== 11) return { status: 400, body: { message: 'Invalid Form Body', code: 50035 } };
        channel.archived = body.archived;
      }
      return { status: 200, body: this.channelJson(channel) };
    }
    if ((m = /^\/channels\/([\w-]+)\/messages$/.exec(path))) {
      const channel = this.channels.get(m[1]!);
      if (!channel) return unknownChannel();
      if (method === 'POST') return this.createBotMessage(channel, body);
      if (method === 'GET') return { status: 200, body: listMessages(channel.messages, req.query) };
    }
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)$/.exec(path))) {
      const channel = this.channels.get(m[1]!);
      const message = channel?.messages.find((x) => x.id === m![2]);
      if (!channel) return unknownChannel();
      if (!message) return unknownMessage();
      if (method === 'GET') return { status: 200, body: message };
      if (method === 'PATCH') {
        Object.assign(message, pick(body, ['content', 'embeds', 'components']), { edited_timestamp: new Date().toISOString() });
        this.dispatch('MESSAGE_UPDATE', this.gatewayMessage(message, channel));
        return { status: 200, body: message };
      }
    }
    if ((m = /^\/channels\/(\d+)\/messages\/(\d+)\/threads$/.exec(path)) && method === 'POST') return this.startThread(m[1]!, m[2]!, body);
    if ((m = /^\/guilds\/(\d+)\/members\/(\d+)$/.exec(path)) && method === 'GET') {
      const member = this.members.get(m[2]!);
      return member ? { status: 200, body: this.memberJson(member) } : { status: 404, body: { message: 'Unknown Member', code: 10007 } };
    }
    if ((m = /^\/applications\/(\d+)\/commands$/.exec(path)) && method === 'PUT') return this.registerCommands('global', body);
    if ((m = /^\/applications\/(\d+)\/guilds\/(\d+)\/commands$/.exec(path)) && method === 'PUT') return this.registerCommands(`guild:${m[2]}`, body);
    if ((m = /^\/interactions\/(\d+)\/([\w-]+)\/callback$/.exec(path)) && method === 'POST') return this.interactionCallback(m[1]!, m[2]!, body, req.query);
    if ((m = /^\/webhooks\/(\d+)\/([\w-]+)\/messages\/@original$/.exec(path))) return this.original(m[2]!, method, body);
    if ((m = /^\/webhooks\/(\d+)\/([\w-]+)$/.exec(path)) && method === 'POST') return this.followUp(m[2]!, body);
    return undefined;
  }

  private createBotMessage(channel: FakeChannel, body: Json): { status: number; body: unknown } {
    const problem = validateMessageBody(body);
    if (problem) return { status: 400, body: { message: 'Invalid Form Body', code: 50035, errors: problem } };
    const nonce = typeof body.nonce === 'string' || typeof body.nonce === 'number' ? String(body.nonce) : undefined;
    const nonceKey = nonce !== undefined ? `${this.botUser.id}:${nonce}` : undefined;
    if (nonceKey && body.enforce_nonce === true) {
      const earlier = this.nonces.get(nonceKey);
      if (earlier && Date.now() - earlier.at < this.nonceWindowMs) {
        this.nonceHits++;
        return { status: 200, body: earlier.message };
      }
    }
    const message = this.makeMessage(channel, this.botUser, body, Date.now());
    if (nonce !== undefined) message.nonce = nonce;
    channel.messages.push(message);
    if (nonceKey) this.nonces.set(nonceKey, { message, at: Date.now() });
    this.record(channel.id, message, body, 'rest');
    this.dispatch('MESSAGE_CREATE', this.gatewayMessage(message, channel));
    return { status: 200, body: message };
  }

  private startThread(channelId: string, messageId: string, body: Json): { status: number; body: unknown } {
    const parent = this.channels.get(channelId);
    if (!parent) return unknownChannel();
    if (!parent.messages.some((m) => m.id === messageId)) return unknownMessage();
    if (this.channels.has(messageId)) return { status: 400, body: { message: 'A thread has already been created for this message', code: 160004 } };
    const thread: FakeChannel = { id: messageId, type: 11, name: String(body.name ?? 'thread'), guild_id: this.guildId, parent_id: channelId, messages: [] };
    this.channels.set(thread.id, thread);
    const json = { ...this.channelJson(thread), newly_created: true };
    this.dispatch('THREAD_CREATE', json);
    return { status: 201, body: json };
  }

  private registerCommands(scope: string, body: unknown): { status: number; body: unknown } {
    const commands = Array.isArray(body) ? (body as Json[]) : [];
    this.registeredCommands.set(scope, commands);
    return { status: 200, body: commands.map((c, i) => ({ ...c, id: `70000000000000000${i}`, application_id: this.applicationId, version: '1' })) };
  }

  // ——— interactions ——————————————————————————————————————————————

  private interact(member: FakeMember, channelId: string, type: number, data: Json, message?: FakeMessage): InteractionRecord {
    const channel = this.requireChannel(channelId);
    const record: InteractionRecord = {
      id: snowflake(),
      token: `itoken-${randomBytes(8).toString('hex')}`,
      createdAt: Date.now(),
      channelId,
      ...(message ? { messageId: message.id } : {}),
      callbacks: [],
      edits: [],
      followUps: [],
      originalDeleted: false,
    };
    this.interactions.set(record.token, record);
    this.dispatch('INTERACTION_CREATE', {
      id: record.id,
      application_id: this.applicationId,
      type,
      data,
      guild_id: this.guildId,
      channel: this.channelJson(channel),
      channel_id: channelId,
      member: { ...this.memberJson(member), permissions: '2248473465835073' },
      token: record.token,
      version: 1,
      app_permissions: '2248473465835073',
      locale: 'en-US',
      guild_locale: 'en-US',
      entitlements: [],
      authorizing_integration_owners: { '0': this.guildId },
      context: 0,
      attachment_size_limit: 10_485_760,
      ...(message ? { message } : {}),
    });
    return record;
  }

  private interactionCallback(id: string, token: string, body: Json, query: URLSearchParams): { status: number; body?: unknown } {
    const record = this.interactions.get(token);
    if (!record || record.id !== id) return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
    const type = Number(body.type);
    const data = (body.data ?? undefined) as Json | undefined;
    // Discord forgets an interaction that was not answered within 3 seconds, and takes one answer only.
    if (Date.now() - record.createdAt > 3_000) {
      record.callbacks.push({ type, ...(data ? { data } : {}), at: Date.now(), status: 404 });
      return { status: 404, body: { message: 'Unknown interaction', code: 10062 } };
    }
    if (record.callbacks.some((c) => c.status < 300)) {
      record.callbacks.push({ type, ...(data ? { data } : {}), at: Date.now(), status: 400 });
      return { status: 400, body: { message: 'Interaction has already been acknowledged.', code: 40060 } };
    }
    record.callbacks.push({ type, ...(data ? { data } : {}), at: Date.now(), status: 204 });
    const channel = this.requireChannel(record.channelId);
    if (type === 4 || type === 5) {
      const message = this.makeMessage(channel, this.botUser, type === 4 ? (data ?? {}) : { content: '', flags: data?.flags }, Date.now());
      message.interaction_token = token;
      record.original = message;
      channel.messages.push(message);
      if (type === 4) this.record(channel.id, message, data ?? {}, 'interaction');
    } else if (type === 6 || type === 7) {
      record.original = channel.messages.find((m) => m.id === record.messageId);
      if (type === 7 && record.original && data) Object.assign(record.original, pick(data, ['content', 'embeds', 'components']));
    }
    if (query.get('with_response') === 'true') return { status: 200, body: { interaction: { id, type: 2 }, resource: { type, ...(record.original ? { message: record.original } : {}) } } };
    return { status: 204 };
  }

  private original(token: string, method: string, body: Json): { status: number; body?: unknown } | undefined {
    const record = this.interactions.get(token);
    if (!record?.original || record.originalDeleted) return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
    const message = record.original;
    if (method === 'DELETE') {
      record.originalDeleted = true;
      const channel = this.requireChannel(message.channel_id);
      channel.messages = channel.messages.filter((m) => m !== message);
      return { status: 204 };
    }
    if (method === 'PATCH') {
      record.edits.push(body);
      Object.assign(message, pick(body, ['content', 'embeds', 'components']), { edited_timestamp: new Date().toISOString() });
      if (!this.sent.some((s) => s.message === message)) this.record(message.channel_id, message, body, 'interaction');
      return { status: 200, body: message };
    }
    if (method === 'GET') return { status: 200, body: message };
    return undefined;
  }

  private followUp(token: string, body: Json): { status: number; body?: unknown } {
    const record = this.interactions.get(token);
    if (!record || record.callbacks.every((c) => c.status >= 300)) return { status: 404, body: { message: 'Unknown Webhook', code: 10015 } };
    const channel = this.requireChannel(record.channelId);
    const message = this.makeMessage(channel, this.botUser, body, Date.now());
    channel.messages.push(message);
    record.followUps.push(this.record(channel.id, message, body, 'followup'));
    return { status: 200, body: message };
  }

  // ——— gateway ———————————————————————————————————————————————————

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    this.gateway.connections++;
    this.gateway.queries.push(new URL(req.url ?? '/', 'ws://127.0.0.1').searchParams);
    this.sockets.add(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      if (this.session?.socket === ws) this.session.socket = undefined;
    });
    ws.on('message', (raw) => this.onGatewayMessage(ws, raw.toString()));
    ws.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.heartbeatIntervalMs }, s: null, t: null }));
  }

  private onGatewayMessage(ws: WebSocket, raw: string): void {
    let payload: { op?: number; d?: Json | number | null };
    try {
      payload = JSON.parse(raw) as typeof payload;
    } catch {
      ws.close(4002, 'Decode error');
      return;
    }
    const d = (payload.d ?? {}) as Json;
    switch (payload.op) {
      case 1:
        this.gateway.heartbeats++;
        this.gateway.acks++;
        ws.send(JSON.stringify({ op: 11, d: null, s: null, t: null }));
        return;
      case 2:
        return this.identify(ws, d);
      case 6:
        return this.resume(ws, d);
      default:
        return;
    }
  }

  private identify(ws: WebSocket, d: Json): void {
    if (d.token !== this.token) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    this.gateway.identifies.push({ ...d, token: '[checked]' });
    const session: Session = { id: randomBytes(8).toString('hex'), seq: 0, buffer: [], socket: ws, valid: true };
    this.session = session;
    this.gateway.readies++;
    this.sendDispatch(session, 'READY', {
      v: 10,
      user: this.botUser,
      guilds: [{ id: this.guildId, unavailable: true }],
      session_id: session.id,
      resume_gateway_url: `ws://127.0.0.1:${this.port}/resume`,
      shard: [0, 1],
      application: { id: this.applicationId, flags: 0 },
    });
    this.sendDispatch(session, 'GUILD_CREATE', this.guildJson());
  }

  private resume(ws: WebSocket, d: Json): void {
    const session = this.session;
    if (d.token !== this.token) {
      ws.close(4004, 'Authentication failed.');
      return;
    }
    this.gateway.resumes.push({ session_id: d.session_id, seq: d.seq });
    if (this.refuseNextResume || !session || !session.valid || session.id !== d.session_id) {
      this.refuseNextResume = false;
      if (session) session.valid = false;
      this.session = undefined;
      this.gateway.invalidSessions++;
      ws.send(JSON.stringify({ op: 9, d: false, s: null, t: null }));
      return;
    }
    session.socket = ws;
    const from = Number(d.seq ?? 0);
    for (const event of session.buffer.filter((e) => e.s > from)) ws.send(JSON.stringify({ op: 0, s: event.s, t: event.t, d: event.d }));
    this.sendDispatch(session, 'RESUMED', null);
  }

  /** Queues a dispatch on the current session: sent now if connected, replayed on a resume, lost if the session dies. */
  dispatch(t: string, d: unknown): void {
    const session = this.session;
    if (!session) return;
    this.sendDispatch(session, t, d);
  }

  private sendDispatch(session: Session, t: string, d: unknown): void {
    const s = ++session.seq;
    session.buffer.push({ s, t, d });
    if (session.buffer.length > 1000) session.buffer.shift();
    if (session.socket?.readyState === WebSocket.OPEN) session.socket.send(JSON.stringify({ op: 0, s, t, d }));
  }

  // ——— JSON shapes ———————————————————————————————————————————————

  private makeMessage(channel: FakeChannel, author: FakeUser, body: Json, at: number): FakeMessage {
    return {
      id: snowflake(at),
      channel_id: channel.id,
      author,
      content: typeof body.content === 'string' ? body.content : '',
      timestamp: new Date(at).toISOString(),
      edited_timestamp: null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: Array.isArray(body.embeds) ? (body.embeds as Json[]) : [],
      components: Array.isArray(body.components) ? (body.components as Json[]) : [],
      pinned: false,
      type: 0,
      flags: typeof body.flags === 'number' ? body.flags : 0,
    };
  }

  private gatewayMessage(message: FakeMessage, channel: FakeChannel): Json {
    const member = this.members.get(message.author.id);
    return {
      ...message,
      guild_id: this.guildId,
      channel_type: channel.type,
      ...(member ? { member: { roles: member.roles, nick: member.nick ?? null, joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0 } } : {}),
    };
  }

  private record(channelId: string, message: FakeMessage, body: Json, via: SentRecord['via']): SentRecord {
    const entry: SentRecord = { channelId, message, body, via, pinged: pingsOf(String(body.content ?? ''), body.allowed_mentions as Json | undefined), at: Date.now() };
    this.sent.push(entry);
    return entry;
  }

  private channelJson(channel: FakeChannel): Json {
    const base: Json = { id: channel.id, type: channel.type, name: channel.name, guild_id: channel.guild_id, position: 0, permission_overwrites: [], nsfw: false, rate_limit_per_user: 0, last_message_id: channel.messages.at(-1)?.id ?? null };
    if (channel.type !== 11) return { ...base, parent_id: null, topic: null };
    return {
      ...base,
      parent_id: channel.parent_id,
      owner_id: this.botUser.id,
      message_count: channel.messages.length,
      member_count: 1,
      total_message_sent: channel.messages.length,
      flags: 0,
      thread_metadata: { archived: channel.archived ?? false, auto_archive_duration: 10080, archive_timestamp: new Date().toISOString(), locked: false },
    };
  }

  private memberJson(member: FakeMember): Json {
    return { user: member.user, roles: member.roles, nick: member.nick ?? null, joined_at: '2024-01-01T00:00:00.000Z', deaf: false, mute: false, flags: 0, pending: false };
  }

  private guildJson(): Json {
    const channels = [...this.channels.values()].filter((c) => c.guild_id === this.guildId);
    return {
      id: this.guildId,
      name: 'Support',
      icon: null,
      splash: null,
      discovery_splash: null,
      owner_id: '100000000000000099',
      afk_channel_id: null,
      afk_timeout: 300,
      verification_level: 0,
      default_message_notifications: 0,
      explicit_content_filter: 0,
      roles: this.roles.map((r, i) => ({ id: r.id, name: r.name, color: 0, hoist: false, position: i, permissions: '0', managed: false, mentionable: true, flags: 0 })),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: 0,
      application_id: null,
      system_channel_id: null,
      system_channel_flags: 0,
      rules_channel_id: null,
      vanity_url_code: null,
      description: null,
      banner: null,
      premium_tier: 0,
      preferred_locale: 'en-US',
      public_updates_channel_id: null,
      nsfw_level: 0,
      premium_progress_bar_enabled: false,
      safety_alerts_channel_id: null,
      joined_at: '2024-01-01T00:00:00.000Z',
      large: false,
      unavailable: false,
      member_count: this.members.size + 1,
      voice_states: [],
      members: [...this.members.values()].map((m) => this.memberJson(m)),
      channels: channels.filter((c) => c.type !== 11).map((c) => this.channelJson(c)),
      threads: channels.filter((c) => c.type === 11).map((c) => this.channelJson(c)),
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  private requireChannel(id: string): FakeChannel {
    const channel = this.channels.get(id);
    if (!channel) throw new Error(`the fake has no channel ${id}`);
    return channel;
  }

  private requireMessage(channelId: string, id: string): FakeMessage {
    const message = this.requireChannel(channelId).messages.find((m) => m.id === id);
    if (!message) throw new Error(`no message ${id} in ${channelId}`);
    return message;
  }
}

/** What the bot sent into one channel (or thread), for assertions. */
export class ChannelView {
  constructor(
    private readonly discord: FakeDiscord,
    readonly id: string,
  ) {}

  /** Everything the bot made here, in order (posts, interaction replies, follow-ups). */
  get sent(): SentRecord[] {
    return this.discord.sent.filter((s) => s.channelId === this.id);
  }

  /** Messages in the channel now (bot and people). */
  get messages(): FakeMessage[] {
    return this.discord.messagesIn(this.id);
  }

  /** Waits for a bot message here whose text (content and embeds) matches. */
  async expectMessage(pattern: RegExp, timeoutMs = 5_000): Promise<SentRecord> {
    return this.discord.waitFor(() => this.sent.find((s) => pattern.test(messageText(s.message))), `a bot message matching ${pattern} in ${this.id}`, timeoutMs);
  }

  /** Fails if a bot message matching `pattern` shows up within `ms`. */
  async expectNoMessage(pattern: RegExp, ms = 500): Promise<void> {
    await new Promise((r) => setTimeout(r, ms));
    const found = this.sent.find((s) => pattern.test(messageText(s.message)));
    if (found) throw new Error(`unexpected bot message in ${this.id}: ${messageText(found.message)}`);
  }

  count(pattern: RegExp): number {
    return this.sent.filter((s) => pattern.test(messageText(s.message))).length;
  }
}

/** All the text a person sees in a message: content, embed titles, descriptions, fields and footers. */
export function messageText(message: { content?: unknown; embeds?: unknown }): string {
  const parts = [String(message.content ?? '')];
  for (const embed of (message.embeds ?? []) as Json[]) {
    parts.push(String(embed.title ?? ''), String(embed.description ?? ''));
    for (const field of (embed.fields ?? []) as Json[]) parts.push(`${String(field.name)}: ${String(field.value)}`);
    const footer = embed.footer as Json | undefined;
    if (footer) parts.push(String(footer.text ?? ''));
  }
  return parts.filter(Boolean).join('\n');
}

/** Every custom id on a message's components. */
export function customIds(message: { components?: unknown }): string[] {
  return ((message.components ?? []) as Json[]).flatMap((row) => ((row.components ?? []) as Json[]).map((c) => String(c.custom_id ?? '')));
}

function findComponent(message: FakeMessage, customId: string): boolean {
  return customIds(message).includes(customId);
}

/**
 * Who a message pings, by Discord's rules: mentions written in the content,
 * filtered by `allowed_mentions` (absent: everything in the content pings).
 */
export function pingsOf(content: string, allowed: Json | undefined): Pinged {
  const users = [...content.matchAll(/<@!?(\d+)>/g)].map((m) => m[1]!);
  const roles = [...content.matchAll(/<@&(\d+)>/g)].map((m) => m[1]!);
  const everyone = /@(everyone|here)/.test(content);
  if (!allowed) return { users: unique(users), roles: unique(roles), everyone };
  const parse = Array.isArray(allowed.parse) ? (allowed.parse as string[]) : [];
  const allowedUsers = Array.isArray(allowed.users) ? (allowed.users as string[]) : [];
  const allowedRoles = Array.isArray(allowed.roles) ? (allowed.roles as string[]) : [];
  return {
    users: unique(users.filter((u) => parse.includes('users') || allowedUsers.includes(u))),
    roles: unique(roles.filter((r) => parse.includes('roles') || allowedRoles.includes(r))),
    everyone: everyone && parse.includes('everyone'),
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

/** Discord's checks on a message body that matter here. */
function validateMessageBody(body: Json): string | undefined {
  const content = typeof body.content === 'string' ? body.content : '';
  const embeds = Array.isArray(body.embeds) ? body.embeds : [];
  const components = Array.isArray(body.components) ? body.components : [];
  if (!content && embeds.length === 0 && components.length === 0) return 'Cannot send an empty message';
  if (content.length > 2000) return 'content: Must be 2000 or fewer in length.';
  if (embeds.length > 10) return 'embeds: Must be 10 or fewer in length.';
  if (components.length > 5) return 'components: Must be 5 or fewer in length.';
  if (body.nonce !== undefined && String(body.nonce).length > 25) return 'nonce: Must be 25 or fewer in length.';
  const allowed = body.allowed_mentions as Json | undefined;
  if (allowed && Array.isArray(allowed.parse)) {
    const parse = allowed.parse as string[];
    if (parse.includes('users') && Array.isArray(allowed.users) && allowed.users.length) return 'allowed_mentions: parse users and users are mutually exclusive';
    if (parse.includes('roles') && Array.isArray(allowed.roles) && allowed.roles.length) return 'allowed_mentions: parse roles and roles are mutually exclusive';
  }
  return undefined;
}

/** GET /channels/:id/messages: newest first; with `after`, the messages right after it. */
function listMessages(messages: FakeMessage[], query: URLSearchParams): FakeMessage[] {
  const limit = Math.min(100, Number(query.get('limit') ?? 50));
  const after = query.get('after');
  const before = query.get('before');
  let list = [...messages].sort((a, b) => compareIds(a.id, b.id));
  if (after) list = list.filter((m) => compareIds(m.id, after) > 0).slice(0, limit);
  else {
    if (before) list = list.filter((m) => compareIds(m.id, before) < 0);
    list = list.slice(-limit);
  }
  // Discord echoes a nonce only when the message is created, not in history.
  return list.reverse().map(({ nonce: _nonce, ...message }) => message as FakeMessage);
}

function pick(source: Json, keys: string[]): Json {
  return Object.fromEntries(keys.filter((k) => k in source).map((k) => [k, source[k]]));
}

function unknownChannel() {
  return { status: 404, body: { message: 'Unknown Channel', code: 10003 } };
}

function unknownMessage() {
  return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
