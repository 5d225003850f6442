/**
 * The words the whole program shares: severities, the three clocks, the
 * days of the week, the always-open calendar, and how an escalation target
 * is written. The config schema validates against these; the pure core uses
 * them without loading the config's validator.
 */

export const SEVERITIES = ['urgent', 'high', 'normal', 'low'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function isSeverity(value: unknown): value is Severity {
  return (SEVERITIES as readonly unknown[]).includes(value);
}

export const CLOCK_KINDS = ['firstResponse', 'nextResponse', 'resolution'] as const;
export type ClockKind = (typeof CLOCK_KINDS)[number];

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** The always-open calendar every config has without declaring it. */
export const ALWAYS_OPEN_CALENDAR = '24x7';

/**
 * An escalation target: chat (`schedule:primary`, `person:carol`, `group:S0SUPPORT`, `channel:C0OPS`)
 * or outside chat (`pagerduty:<service or person>`, `webhook:<name>`, `email:<person or e-mail group>`).
 */
export const TARGET_PATTERN = /^(schedule|person|group|channel|pagerduty|webhook|email):(.+)$/;

/** Where a notification goes outside chat. */
export const OUTBOUND_KINDS = ['pagerduty', 'webhook', 'email'] as const;
export type OutboundKind = (typeof OUTBOUND_KINDS)[number];
