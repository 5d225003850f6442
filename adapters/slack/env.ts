/**
 * The Slack adapter's settings, all from the environment, checked once at
 * start-up. Every problem is reported at once, by variable name; a value is
 * never echoed, so a misplaced token cannot end up in a log or a terminal.
 */

export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';
export const DEFAULT_PORT = 3000;

export interface SlackEnv {
  botToken: string;
  /** HTTP mode only (Socket Mode requests are not signed). */
  signingSecret?: string;
  /** Set: Socket Mode. */
  appToken?: string;
  /** Where the Web API lives, always ending in "/". */
  apiUrl: string;
  mode: 'http' | 'socket';
  /** HTTP mode: the port to listen on (0 picks a free one). */
  port: number;
  /** HTTP mode: the address to bind (default: every interface). */
  host?: string;
}

export class SlackEnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Slack is not configured correctly:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SlackEnvError';
  }
}

/** Reads and validates the Slack variables; throws SlackEnvError listing every problem. */
export function readSlackEnv(env: NodeJS.ProcessEnv): SlackEnv {
  const problems: string[] = [];
  const value = (name: string) => {
    const raw = env[name]?.trim();
    return raw ? raw : undefined;
  };

  const botToken = value('SLACK_BOT_TOKEN');
  if (!botToken) problems.push('SLACK_BOT_TOKEN is not set: use the Bot User OAuth Token from the app\'s "OAuth & Permissions" page (it starts with xoxb-).');
  else if (!botToken.startsWith('xoxb-')) problems.push('SLACK_BOT_TOKEN does not look like a bot token: it should start with xoxb- (user tokens, xoxp-, are not supported).');

  const appToken = value('SLACK_APP_TOKEN');
  if (appToken && !appToken.startsWith('xapp-')) {
    problems.push('SLACK_APP_TOKEN does not look like an app-level token: it should start with xapp- (create one under "Basic Information → App-Level Tokens" with the connections:write scope), or unset it to use HTTP mode.');
  }
  const mode = appToken ? 'socket' : 'http';

  const signingSecret = value('SLACK_SIGNING_SECRET');
  if (mode === 'http' && !signingSecret) {
    problems.push('SLACK_SIGNING_SECRET is not set: HTTP mode verifies every request with it ("Basic Information → App Credentials → Signing Secret"). Set SLACK_APP_TOKEN instead to use Socket Mode.');
  }

  let apiUrl = DEFAULT_SLACK_API_URL;
  const givenUrl = value('SLACK_API_URL');
  if (givenUrl) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(givenUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      problems.push('SLACK_API_URL is not an http(s) URL: leave it unset for Slack itself, or give the Web API base, e.g. https://slack.com/api/.');
    } else {
      apiUrl = givenUrl.endsWith('/') ? givenUrl : `${givenUrl}/`;
    }
  }

  let port = DEFAULT_PORT;
  const givenPort = value('PORT');
  if (givenPort !== undefined) {
    port = Number(givenPort);
    if (!/^\d+$/.test(givenPort) || port > 65_535) problems.push(`PORT must be a port number from 0 to 65535 (got "${givenPort}").`);
  }
  const host = value('HOST');

  if (problems.length > 0) throw new SlackEnvError(problems);
  return {
    botToken: botToken as string,
    ...(signingSecret ? { signingSecret } : {}),
    ...(appToken ? { appToken } : {}),
    apiUrl,
    mode,
    port,
    ...(host ? { host } : {}),
  };
}

/** A description of the settings that is safe to log (no secrets). */
export function describeSlackEnv(env: SlackEnv): Record<string, string | number> {
  return {
    mode: env.mode === 'socket' ? 'Socket Mode' : 'HTTP',
    apiUrl: withoutCredentials(env.apiUrl),
    ...(env.mode === 'http' ? { port: env.port, host: env.host ?? '(all interfaces)' } : {}),
  };
}

function withoutCredentials(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
