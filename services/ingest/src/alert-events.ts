import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { ReliabilityEvent, Severity } from '@healstream/contracts';
import { BadRequestError } from './bad-request.js';

const labels = z.record(z.string(), z.string());

/** Alertmanager's webhook body (version 4), the fields healstream reads; others are ignored. */
export const webhookSchema = z.object({
  version: z.string(),
  status: z.enum(['firing', 'resolved']),
  alerts: z.array(
    z.object({
      status: z.enum(['firing', 'resolved']),
      labels,
      annotations: labels.default({}),
      startsAt: z.iso.datetime({ offset: true }),
      endsAt: z.string().default(''),
      generatorURL: z.string().default(''),
      fingerprint: z.string().min(1),
    }),
  ),
});

export type WebhookAlert = z.infer<typeof webhookSchema>['alerts'][number];

const SEVERITIES: Record<string, Severity> = {
  critical: 'CRITICAL',
  page: 'CRITICAL',
  error: 'CRITICAL',
  warning: 'WARNING',
  warn: 'WARNING',
  info: 'INFO',
  none: 'INFO',
};

const id = (...parts: string[]) =>
  createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 24);

/**
 * One alert as a ReliabilityEvent: firing is ANOMALY (the alert name as an anomalous metric
 * with score 1, so `anomaly: <alertname>` conditions match; its value is the `value`
 * annotation when numeric, else 1), resolved is RESOLVED. The incident id comes from the
 * alert's fingerprint and start, so every notification of one firing (repeats, the resolve)
 * names the same incident and a later firing of the same alert is a new one; the event id adds
 * the status, so a notification sent again is the same event. Labels and annotations
 * (`annotation.<name>`) travel as the event's labels: the evidence a human reads.
 */
export function alertEvent(alert: WebhookAlert, component: string, now: number): ReliabilityEvent {
  const startsAt = Date.parse(alert.startsAt);
  const firing = alert.status === 'firing';
  const name = alert.labels['alertname'] ?? 'alert';
  const numeric = Number(alert.annotations['value']);
  const value = firing ? (Number.isFinite(numeric) ? numeric : 1) : 0;
  const evidence: Record<string, string> = { ...alert.labels };
  for (const [k, v] of Object.entries(alert.annotations)) evidence[`annotation.${k}`] = v;
  evidence['alert.fingerprint'] = alert.fingerprint;
  evidence['alert.startsAt'] = alert.startsAt;
  if (alert.generatorURL) evidence['alert.generatorURL'] = alert.generatorURL;
  const incidentId = `am-${id(alert.fingerprint, String(startsAt))}`;
  return {
    eventId: `am-${id(alert.fingerprint, String(startsAt), alert.status)}`,
    incidentId,
    component,
    kind: firing ? 'ANOMALY' : 'RESOLVED',
    severity: SEVERITIES[(alert.labels['severity'] ?? 'warning').toLowerCase()] ?? 'WARNING',
    detectedAt: now,
    snapshot: [{ metric: name, value, observedAt: now }],
    anomalies: firing
      ? [{ metric: name, value, baseline: 0, score: 1, detector: 'alertmanager' }]
      : [],
    labels: evidence,
    forecasts: [],
  };
}

/**
 * Every alert of a webhook body as an event, or a BadRequestError naming what is wrong: a body
 * that is not Alertmanager's, or an alert that carries none of `componentLabels`.
 */
export function webhookEvents(
  body: unknown,
  componentLabels: readonly string[],
  now: number,
): ReliabilityEvent[] {
  const parsed = webhookSchema.safeParse(body);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new BadRequestError(
      `not an Alertmanager webhook body: ${first?.path.join('.') || '(root)'}: ${first?.message}`,
    );
  }
  return parsed.data.alerts.map((alert, i) => {
    const label = componentLabels.find((l) => alert.labels[l]);
    if (label === undefined)
      throw new BadRequestError(
        `alerts[${i}] (${alert.labels['alertname'] ?? 'no alertname'}, fingerprint ${alert.fingerprint}) has none of the labels naming a component: ${componentLabels.join(', ')}`,
      );
    return alertEvent(alert, alert.labels[label] as string, now);
  });
}
