/**
 * The Feishu/Lark adapter's settings, all from the environment, checked once
 * at start-up. Every problem is reported at once, by variable name; a value
 * is never echoed, so a misplaced secret cannot end up in a log.
 *
 * Events arrive over the long connection (the SDK's WSClient: nothing listens
 * on a port, so slawatch can run behind a firewall) unless LARK_MODE=webhook,
 * where Feishu POSTs them to /lark/events on PORT — encrypted with
 * LARK_ENCRYPT_KEY and carrying LARK_VERIFICATION_TOKEN, both checked.
 */

export const FEISHU_URL = 'https://open.feishu.cn';
export const LARK_URL = 'https://open.larksuite.com';
export const DEFAULT_PORT = 3000;

export interface LarkEnv {
  appId: string;
  appSecret: string;
  /** The open platform's base URL (no trailing slash). */
  domain: string;
  mode: 'websocket' | 'webhook';
  /** Webhook mode: decrypts event bodies and checks their signature. */
  encryptKey?: string;
  /** Webhook mode: every event carries it. */
  verificationToken?: string;
  /** Webhook mode, without the bot's own HTTP server: the port to listen on (0 picks a free one). */
  port: number;
  host?: string;
}

export class LarkEnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Feishu/Lark is not configured correctly:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'LarkEnvError';
  }
}

/** The SDK's WSClient refuses any other app id (and says so only in its own log). */
const APP_ID = /^cli_[0-9a-fA-F]{16}$/;

/** Reads and validates the Feishu/Lark variables; throws LarkEnvError listing every problem. */
export function readLarkEnv(env: NodeJS.ProcessEnv): LarkEnv {
  const problems: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;

  const appId = value('LARK_APP_ID');
  if (!appId) problems.push('LARK_APP_ID is not set: use the App ID from the app\'s "Credentials & Basic Info" page (it starts with cli_).');
  else if (!APP_ID.test(appId)) problems.push('LARK_APP_ID does not look like an App ID: it is "cli_" and 16 hexadecimal digits.');

  const appSecret = value('LARK_APP_SECRET');
  if (!appSecret) problems.push('LARK_APP_SECRET is not set: use the App Secret from the same page.');
  else if (/\s/.test(appSecret)) problems.push('LARK_APP_SECRET contains whitespace; paste the secret alone.');

  let domain = FEISHU_URL;
  const givenDomain = value('LARK_DOMAIN');
  if (givenDomain) {
    const named = givenDomain.toLowerCase();
    if (named === 'feishu') domain = FEISHU_URL;
    else if (named === 'lark' || named === 'larksuite') domain = LARK_URL;
    else if (isHttpUrl(givenDomain)) domain = givenDomain.replace(/\/+$/, '');
    else problems.push('LARK_DOMAIN must be feishu (open.feishu.cn, the default), lark (open.larksuite.com) or the open platform\'s http(s) URL.');
  }

  const givenMode = value('LARK_MODE')?.toLowerCase();
  let mode: LarkEnv['mode'] = 'websocket';
  if (givenMode === 'webhook') mode = 'webhook';
  else if (givenMode !== undefined && givenMode !== 'websocket') problems.push('LARK_MODE must be websocket (the long connection, the default) or webhook.');

  const encryptKey = value('LARK_ENCRYPT_KEY');
  const verificationToken = value('LARK_VERIFICATION_TOKEN');
  if (mode === 'webhook') {
    if (!encryptKey) problems.push('LARK_ENCRYPT_KEY is not set: webhook mode decrypts and checks every request with it ("Events & Callbacks → Encryption Strategy → Encrypt Key"). Leave LARK_MODE unset to use the long connection instead.');
    if (!verificationToken) problems.push('LARK_VERIFICATION_TOKEN is not set: webhook mode checks it in every request ("Events & Callbacks → Encryption Strategy → Verification Token").');
  }

  let port = DEFAULT_PORT;
  const givenPort = value('PORT');
  if (givenPort !== undefined) {
    port = Number(givenPort);
    if (!/^\d+$/.test(givenPort) || port > 65_535) problems.push(`PORT must be a port number from 0 to 65535 (got "${givenPort}").`);
  }
  const host = value('HOST');

  if (problems.length > 0) throw new LarkEnvError(problems);
  return {
    appId: appId as string,
    appSecret: appSecret as string,
    domain,
    mode,
    ...(mode === 'webhook' ? { encryptKey: encryptKey as string, verificationToken: verificationToken as string } : {}),
    port,
    ...(host ? { host } : {}),
  };
}

/** A description of the settings that is safe to log (no secrets). */
export function describeLarkEnv(env: LarkEnv): Record<string, string | number> {
  return {
    mode: env.mode === 'websocket' ? 'long connection' : 'webhook',
    domain: new URL(env.domain).origin,
    appId: env.appId,
  };
}

/** The secrets of the settings, for scrubbing what a library writes to its log. */
export function secretsOf(env: LarkEnv): string[] {
  return [env.appSecret, env.encryptKey, env.verificationToken].filter((s): s is string => Boolean(s));
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
