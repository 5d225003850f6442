/**
 * The HTTP transport the SDK's Client and WSClient send through: Node's
 * fetch, with a time-out on every request, behind the SDK's own HttpInstance
 * interface. It answers what the SDK expects (the response body), and fails
 * with a LarkApiError that says what the platform answered — status, code,
 * message, how long a rate limit asks to wait — and never carries the
 * request (an app secret travels in the token request's body).
 */
import type { HttpInstance, HttpRequestOptions } from '@larksuiteoapi/node-sdk';

const DEFAULT_TIMEOUT_MS = 15_000;

/** The open platform answered with an HTTP error, or with a non-zero `code`. */
export class LarkApiError extends Error {
  override name = 'LarkApiError';
  constructor(
    readonly status: number,
    readonly path: string,
    readonly code?: number,
    readonly apiMessage?: string,
    /** A rate limit's `x-ogw-ratelimit-reset` (seconds), when it said. */
    readonly retryAfterSec?: number,
  ) {
    super(`Feishu/Lark answered ${status}${code !== undefined ? ` (code ${code}${apiMessage ? `: ${apiMessage}` : ''})` : ''} to ${path}`);
  }
}

/** Feishu's "too many requests": HTTP 429, the app's rate (99991400), or a chat's (230020). */
const RATE_LIMIT_CODES = new Set([99991400, 230020]);

/** Seconds to wait when `err` is a rate limit (0: not said), else undefined. */
export function rateLimitedFor(err: unknown): number | undefined {
  if (!(err instanceof LarkApiError)) return undefined;
  if (err.status !== 429 && !(err.code !== undefined && RATE_LIMIT_CODES.has(err.code))) return undefined;
  return err.retryAfterSec ?? 0;
}

type Json = Record<string, unknown>;
const asRecord = (value: unknown): Json | undefined => (typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined);

/** Fails with LarkApiError when a body that came with HTTP 200 says `code` is not 0. */
export function checked<T>(path: string, body: T): T {
  const code = asRecord(body)?.code;
  if (typeof code === 'number' && code !== 0) {
    const msg = asRecord(body)?.msg;
    throw new LarkApiError(200, path, code, typeof msg === 'string' ? msg : undefined);
  }
  return body;
}

/** The SDK's `params` as the URL's query (arrays repeated, as the SDK's own serializer writes them). */
function withParams(url: URL, params: Record<string, unknown> | undefined): URL {
  for (const [key, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(one));
  }
  return url;
}

export function fetchHttp(timeoutMs = DEFAULT_TIMEOUT_MS): HttpInstance {
  // The interface is the SDK's, typed `any` there; `unknown` stands in where it returns a body.
  const request = async <R>(opts: HttpRequestOptions<unknown>): Promise<R> => {
    const method = (opts.method ?? 'GET').toUpperCase();
    const url = withParams(new URL(opts.url ?? ''), opts.params);
    const path = url.pathname;
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(opts.headers ?? {})) if (value !== undefined && value !== null) headers[key] = String(value);
    const hasBody = opts.data !== undefined && method !== 'GET' && method !== 'HEAD';
    if (hasBody && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json; charset=utf-8';
    const response = await fetch(url, {
      method,
      headers,
      ...(hasBody ? { body: JSON.stringify(opts.data) } : {}),
      signal: AbortSignal.timeout(opts.timeout ?? timeoutMs),
    });
    const text = await response.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : {};
    } catch {
      // Not JSON: the text is the body.
    }
    if (!response.ok) {
      const record = asRecord(body);
      const reset = Number(response.headers.get('x-ogw-ratelimit-reset') ?? response.headers.get('retry-after') ?? NaN);
      throw new LarkApiError(
        response.status,
        path,
        typeof record?.code === 'number' ? record.code : undefined,
        typeof record?.msg === 'string' ? record.msg : undefined,
        Number.isFinite(reset) && reset >= 0 ? reset : undefined,
      );
    }
    if (opts.$return_headers) return { data: body, headers: Object.fromEntries(response.headers) } as R;
    return body as R;
  };
  const withBody = (method: string) => <R>(url: string, data?: unknown, opts?: HttpRequestOptions<unknown>) => request<R>({ ...opts, url, method, data });
  const withoutBody = (method: string) => <R>(url: string, opts?: HttpRequestOptions<unknown>) => request<R>({ ...opts, url, method });
  return {
    request,
    get: withoutBody('GET'),
    delete: withoutBody('DELETE'),
    head: withoutBody('HEAD'),
    options: withoutBody('OPTIONS'),
    post: withBody('POST'),
    put: withBody('PUT'),
    patch: withBody('PATCH'),
  };
}
