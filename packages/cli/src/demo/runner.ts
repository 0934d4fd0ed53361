import type { SupervisorClient } from '@healstream/supervisor-client';
import type { RunningAlertmanager } from '@healstream/infra';
import { waitFor, type Journal } from './journal.js';
import type { Scenario } from './scenarios.js';
import type { WebhookSink } from './webhook-sink.js';

export interface ScenarioResult {
  scenario: string;
  title: string;
  component: string;
  fault: string;
  expected: 'heal' | 'page';
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

async function healthy(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) }).catch(() => null);
  await res?.body?.cancel();
  return res?.status === 200;
}

/** Waits until the component answers its health check twice and has no open incident. */
async function settled(
  scenario: Scenario,
  ctx: RunnerContext,
  timeoutMs: number,
): Promise<boolean> {
  let streak = 0;
  const ok = await waitFor(
    async () => {
      streak =
        (await healthy(ctx.healthUrl(scenario.component))) &&
        !ctx.journal.incidentOpen(scenario.component)
          ? streak + 1
          : 0;
      return streak >= 2 ? true : undefined;
    },
    timeoutMs,
    ctx.signal,
  );
  return ok === true;
}

/**
 * The pages about the incident, as the on-call sink shows them: the active alerts in
 * Alertmanager's API (GET /api/v2/alerts), or, when Alertmanager is not installed, what the
 * webhook sink received. `source` narrows them to pages of that source (e.g. LADDER_EXHAUSTED).
 */
async function pageFor(
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

/**
 * Runs one scenario for real: waits for a calm component, injects the fault through the
 * supervisor, then follows the pipeline's records about the component until it recovered
 * (or, for the unfixable one, until the ladder escalated and the page reached the on-call
 * sink), and clears the fault. Times are from the moment the injection was asked for.
 */
export async function runScenario(scenario: Scenario, ctx: RunnerContext): Promise<ScenarioResult> {
  const { journal, signal } = ctx;
  const result: ScenarioResult = {
    scenario: scenario.name,
    title: scenario.title,
    component: scenario.component,
    fault: scenario.fault,
    expected: scenario.expect.kind,
    detectedAfterMs: null,
    diagnosedAs: null,
    confidence: null,
    policy: null,
    actions: [],
    recoveredAfterMs: null,
    pageSent: null,
    ok: false,
    note: '',
  };
  if (!(await settled(scenario, ctx, 60_000)))
    ctx.say(
      `${scenario.component} is not calm after 60 s (unhealthy or an incident still open); injecting anyway`,
    );
  else ctx.say(`${scenario.component} is healthy: ${ctx.describe(scenario.component)}`);

  const t0 = Date.now();
  ctx.watch(scenario.component, t0);
  await ctx.fleet.operate(scenario.component, 'fault', { kind: scenario.fault });
  ctx.say(`injected ${scenario.fault} into ${scenario.component} (${Date.now() - t0} ms)`);
  try {
    const detected = await waitFor(
      () =>
        journal.events.find(
          (e) =>
            e.component === scenario.component &&
            // A crash sends nothing: the detector finds the component SILENT.
            (e.kind === 'ANOMALY' || e.kind === 'SILENT') &&
            e.detectedAt >= t0,
        ),
      ctx.timeoutMs,
      signal,
    );
    if (!detected) return { ...result, note: 'never detected' };
    result.detectedAfterMs = detected.detectedAt - t0;
    const incident = detected.incidentId;

    const remaining = () => Math.max(0, ctx.timeoutMs - (Date.now() - t0));
    const end = await waitFor(
      () => {
        const outcome = journal.outcomes.find(
          (o) => o.incidentId === incident && o.verification === 'RECOVERED',
        );
        if (outcome) return { kind: 'recovered' as const, outcome };
        const escalated = journal.decisions.find(
          (d) => d.incidentId === incident && d.verdict === 'ESCALATE',
        );
        if (escalated) return { kind: 'escalated' as const };
        return undefined;
      },
      remaining(),
      signal,
    );
    const dispatched = journal.decisions.filter(
      (d) => d.incidentId === incident && d.verdict === 'DISPATCHED',
    );
    // The diagnosis the first action was decided on (an incident's first look may see too little).
    const diagnosis =
      journal.diagnoses.find((d) => d.eventId === dispatched[0]?.eventId && d.causes.length > 0) ??
      journal.diagnoses.find((d) => d.incidentId === incident && d.causes.length > 0);
    result.diagnosedAs = diagnosis?.causes[0]?.cause ?? null;
    result.confidence = diagnosis?.causes[0]?.confidence ?? null;
    result.policy = dispatched.map((d) => d.policy).join(' → ') || null;
    result.actions = dispatched.flatMap(
      (d) =>
        journal.commands.find((c) => c.commandId === d.commandId)?.actions.map((a) => a.name) ?? [],
    );

    if (end?.kind === 'recovered') result.recoveredAfterMs = end.outcome.finishedAt - t0;
    if (scenario.expect.kind === 'page') {
      // The ladder's page may still be on its way from the escalator to Alertmanager.
      const wait = end?.kind === 'escalated' ? 20_000 : 0;
      result.pageSent =
        (await waitFor(
          () => pageFor(ctx, scenario.component, incident, 'LADDER_EXHAUSTED'),
          wait,
          signal,
        )) ??
        (await pageFor(ctx, scenario.component, incident)) ??
        null;
      result.ok = end?.kind === 'escalated' && result.pageSent !== null;
      result.note =
        end?.kind === 'escalated'
          ? result.pageSent
            ? 'ladder exhausted, on-call paged'
            : 'escalated, but no page arrived'
          : end
            ? 'recovered, but it should not have'
            : 'no escalation in time';
    } else {
      result.pageSent = (await pageFor(ctx, scenario.component, incident)) ?? null;
      const expectedPolicy = scenario.expect.policy;
      result.ok =
        end?.kind === 'recovered' &&
        end.outcome.policy === expectedPolicy &&
        dispatched.length === 1;
      result.note = !end
        ? 'not recovered in time'
        : end.kind === 'escalated'
          ? 'escalated instead of healing'
          : end.outcome.policy !== expectedPolicy || dispatched.length !== 1
            ? `healed by ${result.policy}, expected ${expectedPolicy}`
            : 'healed';
    }
    return result;
  } finally {
    // The world recovers (the dependency is back, the database is up, the surge is over).
    await ctx.fleet
      .operate(scenario.component, 'fault', { kind: 'none' })
      .catch((error: unknown) => ctx.say(`could not clear the fault: ${(error as Error).message}`));
  }
}
