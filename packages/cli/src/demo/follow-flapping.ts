import { waitFor } from './journal.js';
import {
  pageFor,
  recordDispatched,
  type RunnerContext,
  type ScenarioResult,
} from './scenario-result.js';
import type { Scenario } from './scenarios.js';

/**
 * The flapping member: the first incident is healed; the fault then comes back in the new
 * process, and the re-opened incident must be held back (SKIPPED_FLAPPING) and paged (source
 * FLAPPING) instead of restarted again.
 */
export async function followFlapping(
  scenario: Scenario,
  ctx: RunnerContext,
  result: ScenarioResult,
  t0: number,
): Promise<ScenarioResult> {
  const { journal, signal } = ctx;
  const remaining = () => Math.max(0, ctx.timeoutMs - (Date.now() - t0));
  const mine = (d: { component: string; decidedAt: number }) =>
    d.component === scenario.component && d.decidedAt >= t0;
  const cured = await waitFor(
    () =>
      journal.outcomes.find(
        (o) =>
          o.component === scenario.component &&
          o.finishedAt >= t0 &&
          o.verification === 'RECOVERED',
      ),
    remaining(),
    signal,
  );
  if (!cured) return { ...result, note: 'the first incident was not healed' };
  result.recoveredAfterMs = cured.finishedAt - t0;
  // A re-open is a new incident: the fault comes back once the first one is closed.
  await waitFor(
    () =>
      journal.decisions.find((d) => d.incidentId === cured.incidentId && d.verdict === 'RESOLVED'),
    remaining(),
    signal,
  );
  ctx.say(`${scenario.component} recovered; its pool starts leaking again in the new process`);
  await ctx.fleet.operate(scenario.component, 'fault', { kind: scenario.fault });
  const held = await waitFor(
    () => journal.decisions.find((d) => mine(d) && d.verdict === 'SKIPPED_FLAPPING'),
    remaining(),
    signal,
  );
  const dispatched = journal.decisions.filter((d) => mine(d) && d.verdict === 'DISPATCHED');
  const diagnosis = journal.diagnoses.find(
    (d) => d.eventId === dispatched[0]?.eventId && d.causes.length > 0,
  );
  recordDispatched(result, journal, dispatched, diagnosis);
  if (!held) return { ...result, note: 'the re-opened incident was not held back as flapping' };
  result.pageSent =
    (await waitFor(
      () => pageFor(ctx, scenario.component, held.incidentId, 'FLAPPING'),
      20_000,
      signal,
    )) ?? null;
  result.ok = result.pageSent !== null && dispatched.length === 1;
  result.note =
    dispatched.length !== 1
      ? `${dispatched.length} commands, expected one restart`
      : result.pageSent
        ? `${held.reason.split(';')[0]}; on-call paged instead of a second restart`
        : 'held back as flapping, but no page arrived';
  return result;
}
