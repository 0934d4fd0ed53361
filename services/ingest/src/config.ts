import { z } from 'zod';
import { baseEnvSchema } from '@healstream/runtime';

const labelList = z
  .string()
  .transform((raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .refine((l) => l.length > 0 && l.every((x) => /^[a-zA-Z_][a-zA-Z0-9_]*$/.test(x)), {
    message: 'must be a comma-separated list of label names, e.g. component,service,job',
  });

const quantiles = z
  .string()
  .transform((raw) => raw.split(',').map((s) => Number(s.trim())))
  .refine((qs) => qs.length > 0 && qs.every((q) => q >= 0 && q <= 1), {
    message: 'must be a comma-separated list of quantiles in 0..1, e.g. 0.5,0.9,0.99',
  });

/** The ingest service's environment: the base plus where to find a series' component. */
export const ingestEnvSchema = baseEnvSchema.extend({
  /** Labels naming the component of a remote_write series, first present wins. */
  INGEST_COMPONENT_LABELS: labelList.default(['component', 'service', 'job']),
  /** Labels naming the component of an alert, first present wins. */
  INGEST_ALERT_COMPONENT_LABELS: labelList.default(['component', 'service', 'job']),
  INGEST_QUANTILES: quantiles.default([0.5, 0.9, 0.99]),
  /** Largest body accepted, compressed or not. */
  INGEST_MAX_BODY_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .max(256 * 1024 * 1024)
    .default(32 * 1024 * 1024),
  /** Most series whose last sample is kept for rates and quantiles. */
  INGEST_MAX_SERIES: z.coerce.number().int().min(1).max(10_000_000).default(500_000),
});

export type IngestEnv = z.infer<typeof ingestEnvSchema>;
