import { z } from 'zod';
import { baseEnvSchema } from '@healstream/runtime';

const optionalUrl = z
  .string()
  .optional()
  .transform((raw) => (raw === undefined || raw.trim() === '' ? undefined : raw.trim()))
  .refine((raw) => raw === undefined || /^https?:\/\/\S+$/.test(raw), 'must be an http(s) URL');

const seconds = (fallback: number) =>
  z.coerce.number().int().min(1, 'must be at least 1 (seconds)').default(fallback);

/** The escalator's variables, on top of every service's. */
export const escalatorEnvSchema = baseEnvSchema.extend({
  /** escalation.yaml: sinks and routes. Optional when the sink variables below are enough. */
  ESCALATOR_CONFIG: z.string().optional(),
  /** components.yaml, to route by team (components.<id>.oncall.team) and link runbooks. */
  ESCALATOR_COMPONENTS_FILE: z.string().optional(),
  /** The policies directory, so a page caused by a policy links that policy's runbook. */
  ESCALATOR_POLICIES_DIR: z.string().optional(),
  /** A generic webhook sink named `webhook`. */
  ESCALATOR_WEBHOOK_URL: optionalUrl,
  /** HMAC-SHA256 key for the `webhook` sink's signature header. */
  ESCALATOR_WEBHOOK_SECRET: z.string().optional(),
  /** An Alertmanager sink named `alertmanager` (base URL, e.g. http://127.0.0.1:9093). */
  ESCALATOR_ALERTMANAGER_URL: optionalUrl,
  /** Base URL of the decision trail; `{incident}` and `{component}` are replaced when present. */
  ESCALATOR_TRAIL_URL: optionalUrl,
  /** One page per dedup key within this window; later triggers are counted, not paged. */
  ESCALATOR_DEDUP_WINDOW_SECONDS: seconds(3600),
  /** How long an unresolved page and an incident's notes are kept (and the alert's endsAt). */
  ESCALATOR_PAGE_TTL_SECONDS: seconds(86_400),
  /** Per-call timeout of a sink. */
  ESCALATOR_SINK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5000),
  /** Small transactions: pages leave Kafka inside them, and each may wait on a sink. */
  ESCALATOR_MAX_RECORDS_PER_TRANSACTION: z.coerce.number().int().min(1).max(500).default(10),
});

export type EscalatorEnv = z.infer<typeof escalatorEnvSchema>;

/** What the pure logic needs, in milliseconds. */
export interface EscalatorSettings {
  prefix: string;
  dedupWindowMs: number;
  pageTtlMs: number;
  trailUrl: string | undefined;
  /** Runbook URLs by component and by policy (components.yaml and policy `runbook:`). */
  runbooks?: Runbooks;
}

export interface Runbooks {
  components: ReadonlyMap<string, string>;
  policies: ReadonlyMap<string, string>;
}

export function settingsFrom(env: Readonly<EscalatorEnv>): EscalatorSettings {
  return {
    prefix: env.HEALSTREAM_TOPIC_PREFIX,
    dedupWindowMs: env.ESCALATOR_DEDUP_WINDOW_SECONDS * 1000,
    pageTtlMs: env.ESCALATOR_PAGE_TTL_SECONDS * 1000,
    trailUrl: env.ESCALATOR_TRAIL_URL,
  };
}
