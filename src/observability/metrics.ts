/**
 * What the service reports for monitoring. The Prometheus implementation is
 * in prometheus.ts; tests and tools use `noMetrics`.
 */
export interface Metrics {
  notificationSent(kind: string, late: boolean, delayMs: number): void;
  notificationFailed(kind: string): void;
  breach(tier: string, clock: string): void;
  storeOperation(operation: string, ms: number, ok: boolean): void;
  ticketOpened(tier: string): void;
  /** One message handed to (or refused by) a target kind: a chat platform, pagerduty, webhook, email. */
  delivery(target: string, ok: boolean): void;
}

export interface StateSnapshot {
  openTicketsByTier: Record<string, number>;
  runningClocks: Record<string, number>;
  /** Whether the store answered its last probe (absent: not probed, e.g. tools). */
  storeUp?: boolean;
  /** Each platform's catch-up from the channels' cursors (src/app/catch-up.ts). */
  catchUp?: { platform: string; channelsBehind: number; oldestCursorAgeSeconds: number; lastPassAt?: number }[];
}

/** Metrics that go nowhere (tests, tools). */
export const noMetrics: Metrics = {
  notificationSent() {},
  notificationFailed() {},
  breach() {},
  storeOperation() {},
  ticketOpened() {},
  delivery() {},
};
