/**
 * Who may see the queue page's data: whoever holds the shared staff token
 * (`SLAWATCH_QUEUE_TOKEN`).
 *
 * - API clients send it as `Authorization: Bearer <token>`.
 * - A browser signs in once (`/queue?token=…` or the sign-in form) and gets
 *   an HttpOnly, SameSite=Strict session cookie. The cookie holds an HMAC of
 *   the token, not the token: it cannot be replayed as a bearer token
 *   elsewhere, and changing the token signs every browser out.
 *
 * Every comparison is constant-time over SHA-256 digests, so neither the
 * content nor the length of a guess leaks through timing.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const SESSION_COOKIE = 'slawatch_queue';
/** A browser stays signed in for 30 days (a wall display should not need a weekly sign-in). */
export const SESSION_MAX_AGE_S = 30 * 24 * 3600;
/** Shorter tokens are refused at start-up: the token is the only lock on the data. */
export const MIN_TOKEN_LENGTH = 16;

export class QueueAuth {
  private readonly session: string;

  constructor(private readonly token: string) {
    if (token.length < MIN_TOKEN_LENGTH) throw new Error(`the queue token must be at least ${MIN_TOKEN_LENGTH} characters`);
    this.session = createHmac('sha256', token).update('slawatch queue session v1').digest('base64url');
  }

  /** Whether `candidate` is the token. */
  tokenMatches(candidate: string): boolean {
    return sameSecret(candidate, this.token);
  }

  /** A valid bearer token or session cookie. */
  authorized(req: IncomingMessage): boolean {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (bearer) return this.tokenMatches(bearer[1] as string);
    const cookie = cookieValue(req, SESSION_COOKIE);
    return cookie !== undefined && sameSecret(cookie, this.session);
  }

  /** `Set-Cookie` for a signed-in browser. `Secure` when the request came over HTTPS (directly or via a proxy). */
  sessionCookie(req: IncomingMessage): string {
    const secure = isHttps(req) ? '; Secure' : '';
    return `${SESSION_COOKIE}=${this.session}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MAX_AGE_S}${secure}`;
  }
}

/** Whether two secrets are equal, in constant time over their SHA-256 digests (length leaks nothing either). */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function isHttps(req: IncomingMessage): boolean {
  if ((req.socket as { encrypted?: boolean }).encrypted) return true;
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = Array.isArray(forwarded) ? forwarded[0] : forwarded;
  return proto?.split(',')[0]?.trim().toLowerCase() === 'https';
}
