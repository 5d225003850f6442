/**
 * Prometheus metrics (prom-client), on a registry of their own so tests and
 * several bots in one process never collide. Gauges that describe the
 * current state (open tickets, running clocks) are read from a snapshot
 * function at scrape time instead of being kept in step by hand.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Metrics, StateSnapshot } from './metrics.js';

export class PrometheusMetrics implements Metrics {
  readonly registry = new Registry();
  private readonly sent: Counter<'kind' | 'late'>;
  private readonly failed: Counter<'kind'>;
  private readonly breaches: Counter<'tier' | 'clock'>;
  private readonly opened: Counter<'tier'>;
  private readonly deliveries: Counter<'target'>;
  private readonly deliveryFailures: Counter<'target'>;
  private readonly delay: Histogram;
  private readonly storeLatency: Histogram<'operation' | 'outcome'>;

  constructor(snapshot: () => StateSnapshot, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'slawatch_process_' });
    this.sent = new Counter({ name: 'slawatch_notifications_sent_total', help: 'Notifications handed to a chat platform', labelNames: ['kind', 'late'], registers });
    this.failed = new Counter({ name: 'slawatch_notifications_failed_total', help: 'Notifications a chat platform refused (retried later)', labelNames: ['kind'], registers });
    this.breaches = new Counter({ name: 'slawatch_breaches_total', help: 'SLA breaches notified, by tier and clock', labelNames: ['tier', 'clock'], registers });
    this.opened = new Counter({ name: 'slawatch_tickets_opened_total', help: 'Tickets opened', labelNames: ['tier'], registers });
    this.deliveries = new Counter({
      name: 'slawatch_deliveries_sent_total',
      help: 'Messages a target took, by target kind (slack, discord, lark, shell, pagerduty, webhook, email)',
      labelNames: ['target'],
      registers,
    });
    this.deliveryFailures = new Counter({
      name: 'slawatch_deliveries_failed_total',
      help: 'Sends a target refused or that could not reach it (each retried later), by target kind',
      labelNames: ['target'],
      registers,
    });
    this.delay = new Histogram({
      name: 'slawatch_notification_delay_seconds',
      help: 'From the instant a notification was due to its hand-over to the chat platform',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 15, 60, 300, 3600],
      registers,
    });
    this.storeLatency = new Histogram({
      name: 'slawatch_store_operation_seconds',
      help: 'Store operation latency',
      labelNames: ['operation', 'outcome'],
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    new Gauge({
      name: 'slawatch_open_tickets',
      help: 'Tickets not yet resolved or closed, by tier',
      labelNames: ['tier'],
      registers,
      collect() {
        this.reset();
        for (const [tier, n] of Object.entries(snapshot().openTicketsByTier)) this.set({ tier }, n);
      },
    });
    new Gauge({
      name: 'slawatch_store_up',
      help: 'Whether the store answered its last probe (1) or not (0)',
      registers,
      collect() {
        const up = snapshot().storeUp;
        if (up !== undefined) this.set(up ? 1 : 0);
      },
    });
    new Gauge({
      name: 'slawatch_catchup_channels_behind',
      help: 'Bound channels the running catch-up pass has not read yet, by platform (0 between passes)',
      labelNames: ['platform'],
      registers,
      collect() {
        this.reset();
        for (const p of snapshot().catchUp ?? []) this.set({ platform: p.platform }, p.channelsBehind);
      },
    });
    new Gauge({
      name: 'slawatch_catchup_oldest_cursor_age_seconds',
      help: 'Age of the oldest cursor among the channels the running catch-up has not read yet, by platform (0 when none is behind)',
      labelNames: ['platform'],
      registers,
      collect() {
        this.reset();
        for (const p of snapshot().catchUp ?? []) this.set({ platform: p.platform }, p.oldestCursorAgeSeconds);
      },
    });
    new Gauge({
      name: 'slawatch_catchup_last_pass_timestamp_seconds',
      help: 'When the last catch-up pass over every bound channel ended, by platform',
      labelNames: ['platform'],
      registers,
      collect() {
        this.reset();
        for (const p of snapshot().catchUp ?? []) if (p.lastPassAt !== undefined) this.set({ platform: p.platform }, p.lastPassAt / 1000);
      },
    });
    new Gauge({
      name: 'slawatch_clocks_running',
      help: 'SLA clocks with a deadline ahead, by clock',
      labelNames: ['clock'],
      registers,
      collect() {
        this.reset();
        for (const [clock, n] of Object.entries(snapshot().runningClocks)) this.set({ clock }, n);
      },
    });
  }

  notificationSent(kind: string, late: boolean, delayMs: number): void {
    this.sent.inc({ kind, late: String(late) });
    this.delay.observe(Math.max(0, delayMs) / 1000);
  }

  notificationFailed(kind: string): void {
    this.failed.inc({ kind });
  }

  breach(tier: string, clock: string): void {
    this.breaches.inc({ tier, clock });
  }

  storeOperation(operation: string, ms: number, ok: boolean): void {
    this.storeLatency.observe({ operation, outcome: ok ? 'ok' : 'error' }, ms / 1000);
  }

  delivery(target: string, ok: boolean): void {
    (ok ? this.deliveries : this.deliveryFailures).inc({ target });
  }

  ticketOpened(tier: string): void {
    this.opened.inc({ tier });
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

