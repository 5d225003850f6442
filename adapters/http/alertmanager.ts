/**
 * `POST /hooks/alertmanager`: Prometheus Alertmanager's webhook (version 4)
 * on the bot's HTTP server. Each alert goes to the desk as it is (what an
 * alert means for incidents is decided in src/service/alerts.ts).
 *
 * Only with `SLAWATCH_HOOK_TOKEN` set (16 characters or more); every request
 * must carry `Authorization: Bearer <token>` — anything else gets 401 and
 * changes nothing. Without the variable the route does not exist (404).
 *
 *   200 {"opened":[…],"resolved":[…],"unchanged":[…],"refused":[{"fingerprint","reason"}]}
 *   400 not an Alertmanager v4 payload (nothing recorded)   401 no or wrong token
 *   413 larger than 5 MB                                     500 the store failed: Alertmanager sends it again
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AlertInput, SupportDesk } from '../../src/service/desk-port.js';
import type { Logger } from '../../src/service/logger.js';
import { MIN_TOKEN_LENGTH, sameSecret } from './queue-auth.js';
import { readBody } from './queue-page.js';
import type { HttpServer } from './server.js';

export const ALERTMANAGER_PATH = '/hooks/alertmanager';
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Registers the hook when `SLAWATCH_HOOK_TOKEN` is set, and says in the log either way. */
export function mountAlertmanagerHook(http: HttpServer, desk: SupportDesk, env: NodeJS.ProcessEnv, logger: Logger): { enabled: boolean; disabled?: string } {
  const token = env.SLAWATCH_HOOK_TOKEN?.trim() ?? '';
  if (!token) {
    const disabled = 'SLAWATCH_HOOK_TOKEN is not set';
    logger.info({ reason: disabled }, 'Alertmanager hook disabled');
    return { enabled: false, disabled };
  }
  if (token.length < MIN_TOKEN_LENGTH) {
    const disabled = `SLAWATCH_HOOK_TOKEN is shorter than ${MIN_TOKEN_LENGTH} characters`;
    logger.warn({ reason: disabled }, 'Alertmanager hook disabled');
    return { enabled: false, disabled };
  }
  http.route(`POST ${ALERTMANAGER_PATH}`, (req, res) => handle(req, res, desk, token, logger));
  logger.info({ path: ALERTMANAGER_PATH }, 'Alertmanager hook enabled');
  return { enabled: true };
}

async function handle(req: IncomingMessage, res: ServerResponse, desk: SupportDesk, token: string, logger: Logger): Promise<void> {
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (!bearer || !sameSecret(bearer[1] as string, token)) {
    logger.warn({ from: req.socket.remoteAddress }, 'Alertmanager hook: request without the right token');
    return reply(res, 401, { error: 'send "Authorization: Bearer <SLAWATCH_HOOK_TOKEN>"' }, { 'www-authenticate': 'Bearer realm="slawatch hooks"' });
  }
  const body = await readBody(req, MAX_BODY_BYTES);
  if (body === undefined) return reply(res, 413, { error: 'the payload is larger than 5 MB' });
  const parsed = parsePayload(body);
  if ('error' in parsed) {
    logger.warn({ problem: parsed.error }, 'Alertmanager hook: payload refused');
    return reply(res, 400, { error: parsed.error });
  }
  try {
    reply(res, 200, await desk.receiveAlerts(parsed.alerts));
  } catch (err) {
    logger.error({ err: err instanceof Error ? err.message : String(err) }, 'Alertmanager hook: could not record the alerts; Alertmanager will send them again');
    reply(res, 500, { error: 'could not record the alerts; send them again' });
  }
}

type Json = Record<string, unknown>;

/** The alerts of a version 4 webhook payload; anything else is an error and nothing is taken. */
export function parsePayload(text: string): { alerts: AlertInput[] } | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: 'the body is not JSON' };
  }
  if (!isObject(value)) return { error: 'expected a JSON object' };
  if (value.version !== '4') return { error: `expected an Alertmanager webhook of version "4" (got ${JSON.stringify(value.version ?? null)})` };
  if (!Array.isArray(value.alerts)) return { error: '"alerts" must be a list' };
  const alerts: AlertInput[] = [];
  for (const [i, raw] of value.alerts.entries()) {
    const where = `alerts[${i}]`;
    if (!isObject(raw)) return { error: `${where} must be an object` };
    if (raw.status !== 'firing' && raw.status !== 'resolved') return { error: `${where}.status must be "firing" or "resolved"` };
    if (typeof raw.fingerprint !== 'string' || !/^[A-Za-z0-9]{1,64}$/.test(raw.fingerprint)) return { error: `${where}.fingerprint must be the alert's fingerprint` };
    const startsAt = typeof raw.startsAt === 'string' ? Date.parse(raw.startsAt) : Number.NaN;
    if (Number.isNaN(startsAt)) return { error: `${where}.startsAt must be a time` };
    const labels = strings(raw.labels);
    const annotations = raw.annotations === undefined ? {} : strings(raw.annotations);
    if (!labels) return { error: `${where}.labels must map names to strings` };
    if (!annotations) return { error: `${where}.annotations must map names to strings` };
    const endsAt = typeof raw.endsAt === 'string' ? Date.parse(raw.endsAt) : Number.NaN;
    // A firing alert's endsAt is Alertmanager's guess of when it times out, not an end.
    const ended = raw.status === 'resolved' && !Number.isNaN(endsAt) && endsAt > 0 ? { endsAt } : {};
    alerts.push({ status: raw.status, fingerprint: raw.fingerprint, startsAt, ...ended, labels, annotations });
  }
  return { alerts };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function strings(value: unknown): Record<string, string> | undefined {
  if (!isObject(value)) return undefined;
  return Object.values(value).every((v) => typeof v === 'string') ? (value as Record<string, string>) : undefined;
}

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(body));
}
