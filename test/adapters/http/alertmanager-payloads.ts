/**
 * Alertmanager webhook payloads (version 4) as Alertmanager sends them: the
 * group's fields around the alerts, RFC 3339 times with nanoseconds, and a
 * firing alert's zero `endsAt`.
 */
export interface AlertSpec {
  status: 'firing' | 'resolved';
  fingerprint: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt: string;
  endsAt?: string;
}

export function webhook(alerts: AlertSpec[], options: { version?: string } = {}): string {
  const firing = alerts.some((a) => a.status === 'firing');
  const common = (key: 'labels' | 'annotations') => {
    const first = alerts[0]?.[key] ?? {};
    return Object.fromEntries(Object.entries(first).filter(([name, value]) => alerts.every((a) => (a[key] ?? {})[name] === value)));
  };
  return JSON.stringify({
    receiver: 'slawatch',
    status: firing ? 'firing' : 'resolved',
    alerts: alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations ?? {},
      startsAt: a.startsAt,
      endsAt: a.endsAt ?? '0001-01-01T00:00:00Z',
      generatorURL: `http://prometheus.internal:9090/graph?g0.expr=up%7Bjob%3D%22${encodeURIComponent(a.labels.job ?? 'rtc')}%22%7D+%3D%3D+0&g0.tab=1`,
      fingerprint: a.fingerprint,
    })),
    groupLabels: { alertname: alerts[0]?.labels.alertname ?? '' },
    commonLabels: common('labels'),
    commonAnnotations: common('annotations'),
    externalURL: 'http://alertmanager.internal:9093',
    version: options.version ?? '4',
    groupKey: `{}/{severity="critical"}:{alertname="${alerts[0]?.labels.alertname ?? ''}"}`,
    truncatedAlerts: 0,
  });
}

/** RTC down in the EU region, firing since 09:55:12 (with Alertmanager's nanoseconds). */
export const RTC_EU: AlertSpec = {
  status: 'firing',
  fingerprint: '5ef77f1f8a3ecb8d',
  labels: { alertname: 'RTCDown', region: 'eu', severity: 'critical', instance: 'rtc-eu-1:9100', job: 'rtc' },
  annotations: { summary: 'RTC down in EU', description: 'No successful calls for 5 minutes' },
  startsAt: '2026-03-02T09:55:12.345678901Z',
};
