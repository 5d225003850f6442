/**
 * A fake Feishu/Lark open platform on 127.0.0.1 (random port), for tests
 * that run the real @larksuiteoapi/node-sdk against it — its Client over
 * HTTP, its WSClient over the long connection:
 *
 * - POST /open-apis/auth/v3/tenant_access_token/internal: a token for the
 *   app's id and secret (10014 for a wrong secret); every other API call
 *   must carry a token it issued.
 * - GET /open-apis/bot/v3/info: the bot's open id and name.
 * - /open-apis/im/v1/messages: create (to a chat or a person), reply (with
 *   `reply_in_thread`, which starts a thread on the message), patch, get,
 *   list (a chat's top-level messages, or a thread's, by create time). A
 *   send with a `uuid` it has seen returns the message it posted then.
 * - POST /open-apis/ephemeral/v1/send: a card for one person.
 * - POST /callback/ws/endpoint: the long connection's URL and client config;
 *   the WebSocket there speaks the frame protocol (lark-frames.ts): pong to
 *   ping, event frames out, and the client's answers back.
 *
 * It keeps the chats' messages (what the bot posts, and what the customers
 * "post" through `say`, which also delivers the event), can answer a chat's
 * sends with a rate limit, can drop the socket, and records every call.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { CONTROL, DATA, decodeFrame, encodeFrame, headerOf, type Frame } from './lark-frames.js';

export type Json = Record<string, unknown>;

export interface StoredMessage {
  message_id: string;
  chat_id: string;
  root_id?: string;
  parent_id?: string;
  thread_id?: string;
  msg_type: string;
  /** The content as sent: a JSON string (a card's JSON, or `{"text": …}`). */
  content: string;
  create_time: string;
  update_time: string;
  updated: boolean;
  deleted: boolean;
  sender: { id: string; id_type: 'open_id' | 'app_id'; sender_type: 'user' | 'app'; tenant_key?: string };
  mentions?: { key: string; id: string; id_type: 'open_id'; name: string }[];
  /** Sent to a person (receive_id_type=open_id): the person. */
  to?: string;
  uuid?: string;
}

export interface RecordedCall {
  method: string;
  path: string;
  query: Json;
  body: Json;
  status: number;
  at: number;
}

export interface Ack {
  code: number;
  /** The handler's answer (a card callback's), decoded. */
  data?: unknown;
}

export interface FakeLarkOptions {
  appId?: string;
  appSecret?: string;
  botOpenId?: string;
  botName?: string;
  tenantKey?: string;
  port?: number;
}

export interface Person {
  openId: string;
  tenantKey?: string;
  name?: string;
}

export class FakeLark {
  readonly appId: string;
  readonly appSecret: string;
  readonly botOpenId: string;
  readonly botName: string;
  readonly tenantKey: string;
  readonly calls: RecordedCall[] = [];
  readonly ephemerals: { chat_id: string; open_id: string; card: Json }[] = [];
  readonly patches: { message_id: string; card: Json }[] = [];
  /** Answers the client sent to event frames, by frame message id. */
  readonly acks = new Map<string, Ack>();
  /** Set: ephemeral cards are refused (as in a chat where the bot may not send them). */
  refuseEphemeral = false;
  /** Ping frames received. */
  pings = 0;
  /** Long-connection sockets opened so far. */
  connections = 0;
  private readonly messages: StoredMessage[] = [];
  private readonly tokens = new Set<string>();
  private readonly limits = new Map<string, number>();
  private readonly ackWaiters = new Map<string, (ack: Ack) => void>();
  private readonly sockets = new Set<WebSocket>();
  private refuseEndpoint = false;
  private outageUntil = 0;
  private seq = 0;
  private lastTime = 0;
  private server!: Server;
  private wss!: WebSocketServer;
  private base = '';

  private constructor(options: FakeLarkOptions) {
    this.appId = options.appId ?? 'cli_a1b2c3d4e5f60718';
    this.appSecret = options.appSecret ?? 'FakeLarkAppSecret0123456789abcdef';
    this.botOpenId = options.botOpenId ?? 'ou_bot_slawatch';
    this.botName = options.botName ?? 'slawatch';
    this.tenantKey = options.tenantKey ?? 'tenant_ours';
  }

  static async start(options: FakeLarkOptions = {}): Promise<FakeLark> {
    const fake = new FakeLark(options);
    fake.server = createServer((req, res) => void fake.handle(req, res));
    fake.wss = new WebSocketServer({ noServer: true });
    fake.server.on('upgrade', (req, socket, head) => {
      if (!req.url?.startsWith('/ws')) return socket.destroy();
      fake.wss.handleUpgrade(req, socket, head, (ws) => fake.accept(ws));
    });
    await new Promise<void>((resolve) => fake.server.listen(options.port ?? 0, '127.0.0.1', resolve));
    fake.base = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}`;
    return fake;
  }

  /** The open platform's URL, for LARK_DOMAIN. */
  get url(): string {
    return this.base;
  }

  /** The env a slawatch process needs to talk to this fake. */
  env(): Record<string, string> {
    return { LARK_APP_ID: this.appId, LARK_APP_SECRET: this.appSecret, LARK_DOMAIN: this.base };
  }

  async stop(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  // ---- arranging -----------------------------------------------------------

  /** A create time later than every one handed out so far, near the real clock. */
  nextTime(): number {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return this.lastTime;
  }

  /** The next `times` sends into `chatId` are answered 429 (Retry after 1 s). */
  rateLimit(chatId: string, times = 1): void {
    this.limits.set(chatId, times);
  }

  /** The long-connection endpoint answers 514 (authentication failed) from now on. */
  refuseLongConnection(): void {
    this.refuseEndpoint = true;
  }

  /** Closes every long-connection socket, as a network cut would; for `outageMs`, the endpoint then answers "try again later". */
  dropConnections(outageMs = 0): void {
    this.outageUntil = Date.now() + outageMs;
    for (const ws of this.sockets) ws.terminate();
  }

  get connected(): number {
    return [...this.sockets].filter((ws) => ws.readyState === ws.OPEN).length;
  }

  /** Waits until `count` sockets are open. */
  async untilConnected(count = 1, timeoutMs = 10_000): Promise<void> {
    await this.waitFor(() => (this.connected >= count ? true : undefined), `${count} long connection(s)`, timeoutMs);
  }

  /**
   * A person posts in a chat: the message goes into the history, and (unless
   * `deliver: false`, the bot being away) its im.message.receive_v1 event goes
   * out on the long connection. Resolves with the message, the event and the
   * client's answer.
   */
  async say(
    chatId: string,
    from: Person,
    text: string,
    options: {
      rootId?: string;
      mentions?: { key: string; openId: string; name: string }[];
      eventId?: string;
      deliver?: boolean;
      chatType?: 'group' | 'p2p';
      /** The event names the reply's thread only, not its first message. */
      threadOnly?: boolean;
    } = {},
  ): Promise<{ message: StoredMessage; event: Json; ack?: Ack }> {
    const root = options.rootId ? this.find(options.rootId) : undefined;
    if (options.rootId && !root) throw new Error(`no message ${options.rootId} to reply to`);
    const message = this.store({
      chat_id: chatId,
      msg_type: 'text',
      content: JSON.stringify({ text }),
      sender: { id: from.openId, id_type: 'open_id', sender_type: 'user', ...(from.tenantKey ? { tenant_key: from.tenantKey } : {}) },
      ...(options.mentions ? { mentions: options.mentions.map((m) => ({ key: m.key, id: m.openId, id_type: 'open_id' as const, name: m.name })) } : {}),
    });
    if (root) this.intoThread(message, root);
    const event = this.messageEvent(message, options.eventId, options.chatType ?? 'group', options.threadOnly);
    if (options.deliver === false) return { message, event };
    return { message, event, ack: await this.deliver(event) };
  }

  /** The im.message.receive_v1 event of a stored message (as the platform would send it). */
  messageEvent(message: StoredMessage, eventId = this.id('ev'), chatType: 'group' | 'p2p' = 'group', threadOnly = false): Json {
    return this.envelope('im.message.receive_v1', eventId, {
      sender: {
        sender_id: { open_id: message.sender.id, union_id: `on_${message.sender.id}`, user_id: message.sender.id.replace(/^ou_/, '') },
        sender_type: message.sender.sender_type,
        ...(message.sender.tenant_key ? { tenant_key: message.sender.tenant_key } : {}),
      },
      message: {
        message_id: message.message_id,
        ...(message.root_id && !threadOnly ? { root_id: message.root_id, parent_id: message.parent_id } : {}),
        ...(message.thread_id ? { thread_id: message.thread_id } : {}),
        create_time: message.create_time,
        update_time: message.update_time,
        chat_id: message.chat_id,
        chat_type: chatType,
        message_type: message.msg_type,
        content: message.content,
        ...(message.mentions ? { mentions: message.mentions.map((m) => ({ key: m.key, id: { open_id: m.id, union_id: `on_${m.id}` }, name: m.name, tenant_key: this.tenantKey })) } : {}),
      },
    });
  }

  /** A person recalls a message. */
  recall(messageId: string, eventId = this.id('ev')): Promise<Ack> {
    const message = this.find(messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    message.deleted = true;
    return this.deliver(this.envelope('im.message.recalled_v1', eventId, { message_id: messageId, chat_id: message.chat_id, recall_time: String(this.nextTime()), recall_type: 'message_owner' }));
  }

  /** A person clicks a button (or picks from a menu) on a card the bot posted. Resolves with the client's answer. */
  click(messageId: string, by: Person, value: unknown, option?: string, eventId = this.id('ev')): Promise<Ack> {
    const message = this.find(messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    return this.deliver(
      this.envelope('card.action.trigger', eventId, {
        operator: { open_id: by.openId, union_id: `on_${by.openId}`, ...(by.tenantKey ? { tenant_key: by.tenantKey } : {}) },
        token: `c-${this.id('tok')}`,
        action: { value, tag: option === undefined ? 'button' : 'select_static', ...(option !== undefined ? { option } : {}) },
        host: 'im_message',
        context: { open_message_id: messageId, open_chat_id: message.chat_id },
      }),
    );
  }

  /** Sends an event frame on the long connection; resolves with the client's answer to it. */
  deliver(event: Json, timeoutMs = 10_000): Promise<Ack> {
    const socket = [...this.sockets].find((ws) => ws.readyState === ws.OPEN);
    if (!socket) return Promise.reject(new Error('no long connection is open'));
    const frameId = this.id('msg');
    const answered = new Promise<Ack>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.ackWaiters.delete(frameId);
        reject(new Error(`no answer to event frame ${frameId} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.ackWaiters.set(frameId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
    });
    const payload = new TextEncoder().encode(JSON.stringify(event));
    socket.send(
      encodeFrame({
        seqId: BigInt(++this.seq),
        logId: BigInt(this.seq),
        service: 1,
        method: DATA,
        headers: [
          { key: 'type', value: 'event' },
          { key: 'message_id', value: frameId },
          { key: 'sum', value: '1' },
          { key: 'seq', value: '0' },
          { key: 'trace_id', value: this.id('trace') },
        ],
        payload,
      }),
    );
    return answered;
  }

  /** Puts a message into a chat's history without an event (posted while the bot was away). */
  seed(chatId: string, from: Person, text: string, options: { rootId?: string; mentions?: { key: string; openId: string; name: string }[] } = {}): StoredMessage {
    const message = this.store({
      chat_id: chatId,
      msg_type: 'text',
      content: JSON.stringify({ text }),
      sender: { id: from.openId, id_type: 'open_id', sender_type: 'user', ...(from.tenantKey ? { tenant_key: from.tenantKey } : {}) },
      ...(options.mentions ? { mentions: options.mentions.map((m) => ({ key: m.key, id: m.openId, id_type: 'open_id' as const, name: m.name })) } : {}),
    });
    const root = options.rootId ? this.find(options.rootId) : undefined;
    if (root) this.intoThread(message, root);
    return message;
  }

  /** A person edits a message (Feishu sends no event for it; the history shows it). */
  edit(messageId: string, text: string): void {
    const message = this.find(messageId);
    if (!message) throw new Error(`no message ${messageId}`);
    Object.assign(message, { content: JSON.stringify({ text }), updated: true, update_time: String(this.nextTime()) });
  }

  // ---- looking -------------------------------------------------------------

  /** What the bot posted into a chat (top level and threads), oldest first. */
  postedIn(chatId: string): StoredMessage[] {
    return this.messages.filter((m) => m.chat_id === chatId && m.sender.sender_type === 'app' && !m.to);
  }

  /** What the bot posted in the thread of `rootId`. */
  repliesTo(rootId: string): StoredMessage[] {
    return this.messages.filter((m) => m.root_id === rootId && m.sender.sender_type === 'app');
  }

  /** What the bot sent a person directly. */
  sentTo(openId: string): StoredMessage[] {
    return this.messages.filter((m) => m.to === openId);
  }

  /** Every text a card (or text message) shows, joined: for matching what people read. */
  static textOf(content: string | Json): string {
    const parsed: unknown = typeof content === 'string' ? JSON.parse(content) : content;
    const texts: string[] = [];
    const walk = (value: unknown, key?: string) => {
      if (typeof value === 'string') {
        if (key === 'content' || key === 'text') texts.push(value);
      } else if (Array.isArray(value)) value.forEach((v) => walk(v));
      else if (typeof value === 'object' && value !== null) for (const [k, v] of Object.entries(value)) walk(v, k);
    };
    walk(parsed);
    return texts.join('\n');
  }

  async waitFor<T>(find: () => T | undefined, what: string, timeoutMs = 5_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = find();
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; calls:\n${this.describeCalls()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Waits for a message the bot posts in `chatId` whose text matches. */
  expectPost(chatId: string, pattern: RegExp, timeoutMs = 5_000): Promise<StoredMessage> {
    return this.waitFor(() => this.postedIn(chatId).find((m) => pattern.test(FakeLark.textOf(m.content))), `a post in ${chatId} matching ${pattern}`, timeoutMs);
  }

  describeCalls(): string {
    return this.calls.map((c) => `${c.method} ${c.path} → ${c.status}`).join('\n');
  }

  callsTo(method: string, pathPattern: RegExp): RecordedCall[] {
    return this.calls.filter((c) => c.method === method && pathPattern.test(c.path));
  }

  // ---- the long connection ---------------------------------------------------

  private accept(ws: WebSocket): void {
    this.connections++;
    this.sockets.add(ws);
    ws.on('close', () => this.sockets.delete(ws));
    ws.on('message', (data: Buffer) => {
      let frame: Frame;
      try {
        frame = decodeFrame(new Uint8Array(data));
      } catch {
        return;
      }
      const type = headerOf(frame, 'type');
      if (frame.method === CONTROL && type === 'ping') {
        this.pings++;
        ws.send(encodeFrame({ ...frame, headers: [{ key: 'type', value: 'pong' }], payload: new TextEncoder().encode(JSON.stringify(this.clientConfig())) }));
        return;
      }
      if (frame.method === DATA) {
        const frameId = headerOf(frame, 'message_id') ?? '';
        const answer = JSON.parse(new TextDecoder().decode(frame.payload ?? new Uint8Array())) as { code: number; data?: string };
        const ack: Ack = { code: answer.code, ...(answer.data ? { data: JSON.parse(Buffer.from(answer.data, 'base64').toString('utf8')) as unknown } : {}) };
        this.acks.set(frameId, ack);
        this.ackWaiters.get(frameId)?.(ack);
        this.ackWaiters.delete(frameId);
      }
    });
  }

  private clientConfig(): Json {
    return { PingInterval: 30, ReconnectCount: -1, ReconnectInterval: 1, ReconnectNonce: 0 };
  }

  // ---- the HTTP API ------------------------------------------------------------

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.base);
    const raw = await new Promise<string>((resolve) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => resolve(text));
    });
    let body: Json = {};
    try {
      body = raw ? (JSON.parse(raw) as Json) : {};
    } catch {
      body = {};
    }
    const query = Object.fromEntries(url.searchParams);
    const reply = (status: number, answer: Json, headers: Record<string, string> = {}) => {
      this.calls.push({ method: req.method ?? 'GET', path: url.pathname, query, body, status, at: Date.now() });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(answer));
    };
    const path = url.pathname;
    if (req.method === 'POST' && path === '/open-apis/auth/v3/tenant_access_token/internal') {
      if (body.app_id !== this.appId || body.app_secret !== this.appSecret) return reply(400, { code: 10014, msg: 'app secret invalid' });
      const token = `t-${randomBytes(8).toString('hex')}`;
      this.tokens.add(token);
      return reply(200, { code: 0, msg: 'ok', tenant_access_token: token, expire: 7200 });
    }
    if (req.method === 'POST' && path === '/callback/ws/endpoint') {
      if (this.refuseEndpoint || body.AppID !== this.appId || body.AppSecret !== this.appSecret) return reply(200, { code: 514, msg: 'auth failed', data: {} });
      if (Date.now() < this.outageUntil) return reply(200, { code: 1000040343, msg: 'internal error, try again', data: {} });
      const port = (this.server.address() as AddressInfo).port;
      return reply(200, { code: 0, msg: 'ok', data: { URL: `ws://127.0.0.1:${port}/ws?device_id=d-${this.id('dev')}&service_id=1&access_key=${randomBytes(6).toString('hex')}`, ClientConfig: this.clientConfig() } });
    }
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.tokens.has(token)) return reply(401, { code: 99991663, msg: 'invalid access token' });
    if (req.method === 'GET' && path === '/open-apis/bot/v3/info') return reply(200, { code: 0, msg: 'ok', bot: { open_id: this.botOpenId, app_name: this.botName, activate_status: 2 } });
    if (req.method === 'POST' && path === '/open-apis/ephemeral/v1/send') {
      if (this.refuseEphemeral) return reply(400, { code: 230006, msg: 'ephemeral cards are not available here' });
      this.ephemerals.push({ chat_id: String(body.chat_id), open_id: String(body.open_id), card: body.card as Json });
      return reply(200, { code: 0, msg: 'ok', data: { message_id: this.id('om') } });
    }
    const messagePath = /^\/open-apis\/im\/v1\/messages(?:\/([^/]+))?(\/reply)?$/.exec(path);
    if (!messagePath) return reply(404, { code: 404, msg: 'not found' });
    const [, id, isReply] = messagePath;
    if (req.method === 'POST' && !id) return this.create(body, query, reply);
    if (req.method === 'POST' && id && isReply) return this.reply(id, body, reply);
    if (req.method === 'PATCH' && id) {
      const message = this.find(id);
      if (!message) return reply(400, { code: 230001, msg: 'message not found' });
      message.content = String(body.content);
      message.updated = true;
      this.patches.push({ message_id: id, card: JSON.parse(String(body.content)) as Json });
      return reply(200, { code: 0, msg: 'ok' });
    }
    if (req.method === 'GET' && id) {
      const message = this.find(id);
      return message ? reply(200, { code: 0, msg: 'ok', data: { items: [this.item(message)] } }) : reply(400, { code: 230001, msg: 'message not found' });
    }
    if (req.method === 'GET' && !id) return this.list(query, reply);
    return reply(404, { code: 404, msg: 'not found' });
  }

  private limited(chatId: string, reply: (status: number, answer: Json, headers?: Record<string, string>) => void): boolean {
    const left = this.limits.get(chatId) ?? 0;
    if (left <= 0) return false;
    this.limits.set(chatId, left - 1);
    reply(429, { code: 99991400, msg: 'request trigger frequency limit' }, { 'x-ogw-ratelimit-reset': '1' });
    return true;
  }

  private byUuid(uuid: unknown): StoredMessage | undefined {
    return typeof uuid === 'string' && uuid ? this.messages.find((m) => m.uuid === uuid) : undefined;
  }

  private create(body: Json, query: Json, reply: (status: number, answer: Json, headers?: Record<string, string>) => void): void {
    const receiver = String(body.receive_id ?? '');
    const toPerson = query.receive_id_type === 'open_id';
    if (!toPerson && this.limited(receiver, reply)) return;
    const earlier = this.byUuid(body.uuid);
    if (earlier) return reply(200, { code: 0, msg: 'ok', data: this.item(earlier) });
    const message = this.store({
      chat_id: toPerson ? `oc_p2p_${receiver}` : receiver,
      msg_type: String(body.msg_type),
      content: String(body.content),
      sender: { id: this.appId, id_type: 'app_id', sender_type: 'app', tenant_key: this.tenantKey },
      ...(toPerson ? { to: receiver } : {}),
      ...(typeof body.uuid === 'string' ? { uuid: body.uuid } : {}),
    });
    reply(200, { code: 0, msg: 'ok', data: this.item(message) });
  }

  private reply(rootId: string, body: Json, reply: (status: number, answer: Json, headers?: Record<string, string>) => void): void {
    const parent = this.find(rootId);
    if (!parent || parent.deleted) return reply(400, { code: 230011, msg: 'the message was recalled or does not exist' });
    if (this.limited(parent.chat_id, reply)) return;
    const earlier = this.byUuid(body.uuid);
    if (earlier) return reply(200, { code: 0, msg: 'ok', data: this.item(earlier) });
    const message = this.store({
      chat_id: parent.chat_id,
      msg_type: String(body.msg_type),
      content: String(body.content),
      sender: { id: this.appId, id_type: 'app_id', sender_type: 'app', tenant_key: this.tenantKey },
      ...(typeof body.uuid === 'string' ? { uuid: body.uuid } : {}),
    });
    const root = parent.root_id ? (this.find(parent.root_id) ?? parent) : parent;
    if (body.reply_in_thread === true || root.thread_id) this.intoThread(message, root, parent);
    else Object.assign(message, { root_id: root.message_id, parent_id: parent.message_id });
    reply(200, { code: 0, msg: 'ok', data: this.item(message) });
  }

  private list(query: Json, reply: (status: number, answer: Json) => void): void {
    const type = query.container_id_type;
    const container = String(query.container_id ?? '');
    const start = query.start_time ? Number(query.start_time) * 1000 : -Infinity;
    const end = query.end_time ? Number(query.end_time) * 1000 + 999 : Infinity;
    let found = this.messages.filter((m) => {
      // A chat lists its top-level messages (and quoted replies); replies in a thread are the thread's.
      if (type === 'chat') return m.chat_id === container && !(m.root_id && m.thread_id);
      if (type === 'thread') return m.thread_id === container;
      return false;
    });
    found = found.filter((m) => Number(m.create_time) >= start && Number(m.create_time) <= end && !m.to);
    found.sort((a, b) => Number(a.create_time) - Number(b.create_time));
    if (query.sort_type === 'ByCreateTimeDesc') found.reverse();
    const size = Math.min(50, Number(query.page_size ?? 20));
    const offset = query.page_token ? Number(query.page_token) : 0;
    const page = found.slice(offset, offset + size);
    const more = offset + size < found.length;
    reply(200, { code: 0, msg: 'ok', data: { has_more: more, ...(more ? { page_token: String(offset + size) } : {}), items: page.map((m) => this.item(m)) } });
  }

  /** A message as the API returns it. */
  private item(m: StoredMessage): Json {
    return {
      message_id: m.message_id,
      ...(m.root_id ? { root_id: m.root_id, parent_id: m.parent_id } : {}),
      ...(m.thread_id ? { thread_id: m.thread_id } : {}),
      msg_type: m.msg_type,
      create_time: m.create_time,
      update_time: m.update_time,
      deleted: m.deleted,
      updated: m.updated,
      chat_id: m.chat_id,
      sender: m.sender,
      body: { content: m.content },
      ...(m.mentions ? { mentions: m.mentions } : {}),
    };
  }

  private store(fields: Omit<StoredMessage, 'message_id' | 'create_time' | 'update_time' | 'updated' | 'deleted'>): StoredMessage {
    const at = String(this.nextTime());
    const message: StoredMessage = { message_id: this.id('om'), create_time: at, update_time: at, updated: false, deleted: false, ...fields };
    this.messages.push(message);
    return message;
  }

  /** Puts `message` into the thread of `root` (starting it), as a reply to `parent`. */
  private intoThread(message: StoredMessage, root: StoredMessage, parent: StoredMessage = root): void {
    root.thread_id ??= this.id('omt');
    Object.assign(message, { root_id: root.message_id, parent_id: parent.message_id, thread_id: root.thread_id });
  }

  private find(messageId: string): StoredMessage | undefined {
    return this.messages.find((m) => m.message_id === messageId);
  }

  private envelope(type: string, eventId: string, event: Json): Json {
    return { schema: '2.0', header: { event_id: eventId, event_type: type, create_time: String(Date.now()), token: 'v-fake', app_id: this.appId, tenant_key: this.tenantKey }, event };
  }

  private id(prefix: string): string {
    return `${prefix}_${randomBytes(8).toString('hex')}`;
  }
}
