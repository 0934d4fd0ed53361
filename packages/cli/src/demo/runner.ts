import { waitFor } from './journal.js';
import { followFlapping } from './follow-flapping.js';
import {
  pageFor,
  recordDispatched,
  type RunnerContext,
  type ScenarioResult,
} from './scenario-result.js';
import type { Scenario } from './scenarios.js';

export type { RunnerContext, ScenarioResult } from './scenario-result.js';

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

const clearFault = (scenario: Scenario, ctx: RunnerContext) =>
  ctx.fleet
    .operate(scenario.component, 'fault', { kind: 'none' })
    .catch((error: unknown) => ctx.say(`could not clear the fault: ${(error as Error).message}`));

/**
 * After the healing: the fault ends, the component idles, and the `afterwards` policy must give
 * back what the healing added (the surge's extra instance) within the same incident.
 */
async function giveBack(
  scenario: Scenario,
  incident: string,
  ctx: RunnerContext,
  result: ScenarioResult,
): Promise<void> {
  const afterwards = scenario.afterwards;
  if (!afterwards) return;
  await clearFault(scenario, ctx);
  ctx.say(`${scenario.component}: the fault is over; waiting for ${afterwards.policy}`);
  const outcome = await waitFor(
    () =>
      ctx.journal.outcomes.find(
        (o) =>
          o.incidentId === incident &&
          o.policy === afterwards.policy &&
          o.verification === 'RECOVERED',
      ),
    Math.max(ctx.timeoutMs, 120_000),
    ctx.signal,
  );
  const status = await ctx.fleet.component(scenario.component).catch(() => null);
  const running = status?.instances.filter((i) => i.state === 'running').length ?? null;
  result.policy = `${result.policy ?? ''} → ${afterwards.policy}`;
  if (outcome) result.actions.push(...outcome.actions.map((a) => a.name));
  result.ok = outcome !== undefined && running === afterwards.instances;
  result.note = !outcome
    ? `healed, but ${afterwards.policy} did not act in time`
    : running === afterwards.instances
      ? `healed, then back to ${running} instance${running === 1 ? '' : 's'}`
      : `healed and scaled down, but ${String(running)} instances run (expected ${afterwards.instances})`;
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
    if (scenario.expect.kind === 'flap') return await followFlapping(scenario, ctx, result, t0);

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
    recordDispatched(result, journal, dispatched, diagnosis);

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
      if (result.ok && scenario.afterwards) await giveBack(scenario, incident, ctx, result);
    }
    return result;
  } finally {
    // The world recovers (the dependency is back, the database is up, the surge is over).
    await clearFault(scenario, ctx);
    // Leaked connections stay leaked: the member flap damping stopped restarting gets one now.
    if (scenario.expect.kind === 'flap')
      await ctx.fleet
        .operate(scenario.component, 'restart', {})
        .catch((error: unknown) => ctx.say(`could not restart: ${(error as Error).message}`));
  }
}
