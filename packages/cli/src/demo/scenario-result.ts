import type { Diagnosis, HealingDecision } from '@healstream/contracts';
import type { SupervisorClient } from '@healstream/supervisor-client';
import type { RunningAlertmanager } from '@healstream/infra';
import type { Journal } from './journal.js';
import type { WebhookSink } from './webhook-sink.js';

export interface ScenarioResult {
  scenario: string;
  title: string;
  component: string;
  fault: string;
  expected: 'heal' | 'page' | 'flap';
  detectedAfterMs: number | null;
  diagnosedAs: string | null;
  confidence: number | null;
  policy: string | null;
  actions: string[];
  /** MTTR: fault injected → RECOVERED outcome. */
  recoveredAfterMs: number | null;
  /** Where the page was seen (Alertmanager's API, else the webhook sink), or null. */
  pageSent: string | null;
  ok: boolean;
  note: string;
}

export interface RunnerContext {
  fleet: SupervisorClient;
  journal: Journal;
  alertmanager: RunningAlertmanager | null;
  webhook: WebhookSink;
  healthUrl: (component: string) => string;
  /** The component's latest scraped metrics, in a few words. */
  describe: (component: string) => string;
  say: (line: string) => void;
  /** The timeline shows times relative to this injection. */
  watch: (component: string, at: number) => void;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * The pages about the incident, as the on-call sink shows them: the active alerts in
 * Alertmanager's API (GET /api/v2/alerts), or, when Alertmanager is not installed, what the
 * webhook sink received. `source` narrows them to pages of that source (e.g. LADDER_EXHAUSTED).
 */
export async function pageFor(
  ctx: RunnerContext,
  component: string,
  incidentId: string,
  source?: string,
): Promise<string | undefined> {
  const wanted = (s: unknown) => source === undefined || s === source;
  if (ctx.alertmanager) {
    const alerts = await ctx.alertmanager
      .alerts({ component, incident: incidentId })
      .catch(() => []);
    const sources = alerts
      .filter((a) => a.status.state === 'active')
      .map((a) => a.labels['source'] ?? 'page');
    return sources.some(wanted)
      ? `alertmanager (${[...new Set(sources)].sort().join(', ')})`
      : undefined;
  }
  const hooks = ctx.webhook.pages
    .filter((p) => p.body['incidentId'] === incidentId && p.body['status'] === 'TRIGGERED')
    .map((p) => String(p.body['source']));
  return hooks.some(wanted) ? `webhook (${[...new Set(hooks)].sort().join(', ')})` : undefined;
}

/** What the incident's dispatched decisions did, named by the diagnosis they were decided on. */
export function recordDispatched(
  result: ScenarioResult,
  journal: Journal,
  dispatched: HealingDecision[],
  diagnosis: Diagnosis | undefined,
): void {
  result.diagnosedAs = diagnosis?.causes[0]?.cause ?? null;
  result.confidence = diagnosis?.causes[0]?.confidence ?? null;
  result.policy = dispatched.map((d) => d.policy).join(' → ') || null;
  result.actions = dispatched.flatMap(
    (d) =>
      journal.commands.find((c) => c.commandId === d.commandId)?.actions.map((a) => a.name) ?? [],
  );
}
