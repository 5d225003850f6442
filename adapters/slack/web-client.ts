/**
 * The Web API client's settings, and how to tell a token Slack refuses from
 * a failure worth trying again.
 */
import { webApi, type Logger as BoltLogger } from '@slack/bolt';
import type { SlackEnv } from './env.js';

export type WebClientOptions = NonNullable<ConstructorParameters<typeof webApi.WebClient>[1]>;

/** Web API options: Slack's URL (or a fake's), few quick retries for network errors, 429s handed to our queue. */
export function clientOptions(env: SlackEnv, logger: BoltLogger): WebClientOptions {
  return {
    slackApiUrl: env.apiUrl,
    logger,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1_000 },
    timeout: 15_000,
  };
}

/** Slack's answers that mean the token itself is refused: trying again cannot help. */
const REJECTED_TOKEN_ERRORS = new Set([
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'not_allowed_token_type',
  'team_disabled',
  'user_removed_from_team',
  'missing_scope',
]);

/** The Slack error code when `err` is Slack refusing the token, else undefined. */
export function rejectedToken(err: unknown): string | undefined {
  return err instanceof webApi.WebAPIPlatformError && REJECTED_TOKEN_ERRORS.has(err.data.error) ? err.data.error : undefined;
}
