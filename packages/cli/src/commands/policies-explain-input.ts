import type { Diagnosis, MetricSample, ReliabilityEvent } from '@healstream/contracts';
import {
  detect,
  diagnose,
  resolveDetectorConfig,
  type ComponentDetectorState,
} from '@healstream/core';
import { z } from 'zod';
import { CliError } from '../command.js';

const reading = z.object({ metric: z.string(), value: z.number(), observedAt: z.number() });
const anomaly = z.object({
  metric: z.string(),
  value: z.number(),
  baseline: z.number(),
  score: z.number(),
  detector: z.string().default('threshold'),
});

const eventSchema = z.object({
  eventId: z.string().default('explain'),
  incidentId: z.string().default('explain'),
  component: z.string().min(1),
  kind: z.enum(['ANOMALY', 'RESOLVED']).default('ANOMALY'),
  severity: z.enum(['INFO', 'WARNING', 'CRITICAL']).default('WARNING'),
  detectedAt: z.number(),
  snapshot: z.array(reading),
  anomalies: z.array(anomaly).default([]),
  labels: z.record(z.string(), z.string()).default({}),
  forecasts: z
    .array(
      z.object({
        metric: z.string(),
        horizonSeconds: z.number().int(),
        value: z.number(),
        lower: z.number(),
        upper: z.number(),
      }),
    )
    .default([]),
});

const diagnosisSchema = eventSchema.extend({
  diagnosedAt: z.number().optional(),
  causes: z.array(
    z.object({
      cause: z.string(),
      confidence: z.number().min(0).max(1),
      evidence: z.array(z.string()).default([]),
    }),
  ),
});

const sampleSchema = z.object({
  component: z.string().min(1),
  metric: z.string().min(1),
  value: z.number(),
  timestamp: z.number().optional(),
  labels: z.record(z.string(), z.string()).default({}),
});

/** `{"component":"payments","metrics":{"latency_p99":600,"error_rate":0.2}}` */
const snapshotSchema = z.object({
  component: z.string().min(1),
  metrics: z.record(z.string(), z.number()),
  timestamp: z.number().optional(),
  labels: z.record(z.string(), z.string()).default({}),
});

function first(error: z.ZodError): string {
  const i = error.issues[0];
  return i ? `${i.path.join('.') || 'event'}: ${i.message}` : 'invalid';
}

/** Samples → the event the detector (static thresholds only) would emit, then its diagnosis. */
function fromSamples(samples: MetricSample[], now: number): Diagnosis {
  const config = resolveDetectorConfig({ statistical: { enabled: false } });
  let state: ComponentDetectorState | null = null;
  let event: ReliabilityEvent | undefined;
  for (const sample of samples) {
    const result = detect(state, sample, config);
    state = result.state;
    event = result.events.at(-1) ?? event;
  }
  const component = samples[0]?.component ?? '';
  const snapshot = Object.entries(state?.metrics ?? {}).map(([metric, m]) => ({
    metric,
    value: m.value,
    observedAt: m.observedAt,
  }));
  const anomalies = Object.values(state?.metrics ?? {}).flatMap((m) =>
    m.anomaly ? [m.anomaly] : [],
  );
  const base: ReliabilityEvent = event
    ? { ...event, snapshot, anomalies }
    : {
        eventId: 'explain',
        incidentId: 'explain',
        component,
        kind: 'ANOMALY',
        severity: 'INFO',
        detectedAt: now,
        snapshot,
        anomalies,
        labels: state?.labels ?? {},
        forecasts: [],
      };
  return diagnose({ ...base, detectedAt: now }, now);
}

/**
 * Accepts a Diagnosis, a ReliabilityEvent (diagnosed here), a MetricSample or an array of them,
 * or a snapshot `{component, metrics: {name: value}, labels?, timestamp?}` (both run through the
 * static-threshold detector first, so anomaly conditions can match).
 */
export function diagnosisFromJson(text: string, fallbackNow: number): Diagnosis {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new CliError(`--event is not JSON: ${(error as Error).message}`);
  }
  const obj = json as Record<string, unknown> | null;
  if (Array.isArray(json) || (obj && typeof obj === 'object' && 'metric' in obj)) {
    const list = z.array(sampleSchema).safeParse(Array.isArray(json) ? json : [json]);
    if (!list.success) throw new CliError(`--event: ${first(list.error)}`);
    if (list.data.length === 0) throw new CliError('--event: no samples');
    const now = Math.max(...list.data.map((s) => s.timestamp ?? fallbackNow));
    return fromSamples(
      list.data.map((s) => ({ ...s, timestamp: s.timestamp ?? now })),
      now,
    );
  }
  if (obj && typeof obj === 'object' && 'metrics' in obj) {
    const snap = snapshotSchema.safeParse(json);
    if (!snap.success) throw new CliError(`--event: ${first(snap.error)}`);
    const now = snap.data.timestamp ?? fallbackNow;
    const samples = Object.entries(snap.data.metrics).map(([metric, value]) => ({
      component: snap.data.component,
      metric,
      value,
      timestamp: now,
      labels: snap.data.labels,
    }));
    return fromSamples(samples, now);
  }
  if (obj && typeof obj === 'object' && 'causes' in obj) {
    const d = diagnosisSchema.safeParse(json);
    if (!d.success) throw new CliError(`--event: ${first(d.error)}`);
    return { ...d.data, diagnosedAt: d.data.diagnosedAt ?? d.data.detectedAt };
  }
  const e = eventSchema.safeParse(json);
  if (!e.success)
    throw new CliError(`--event: not a diagnosis, event, sample or snapshot (${first(e.error)})`);
  return diagnose(e.data, e.data.detectedAt);
}
