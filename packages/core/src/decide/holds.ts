import type { PolicyEvaluation } from '@healstream/contracts';
import type { Candidate } from './evaluate.js';
import type { EvaluatorState, IncidentLadder } from './state.js';

const seconds = (ms: number) =>
  ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s`;

function matches(candidates: readonly Candidate[], policy: string): boolean {
  for (const c of candidates) if (c.policy.name === policy) return true;
  return false;
}

/**
 * `for:` as in Prometheus alerting rules. The incident remembers when each policy's conditions
 * were first seen true (in the evaluator's state, so the changelog keeps it over a crash); an
 * evaluation that finds them false forgets it (a policy without `for:` is remembered as well).
 * Returns the matching policies whose conditions
 * have not held for their `for:` yet, each reason saying how long so far; the ladder walk marks
 * them `held` unless something else (cooldown, a limit) stops them first. `assumeHeld` (for
 * `policies explain`) takes every hold as served.
 */
export function applyHolds(
  evaluated: readonly PolicyEvaluation[],
  candidates: readonly Candidate[],
  incident: IncidentLadder,
  now: number,
  assumeHeld = false,
): Set<string> {
  // The policies that no longer match are forgotten; the record is rebuilt without them rather
  // than deleted from, which would turn it into a slow dictionary for every later copy.
  let forgotten = false;
  for (const entry of evaluated)
    if (entry.policy in incident.holds && !matches(candidates, entry.policy)) forgotten = true;
  if (forgotten) {
    const kept: Record<string, number> = {};
    for (const policy in incident.holds)
      if (!evaluated.some((e) => e.policy === policy) || matches(candidates, policy))
        kept[policy] = incident.holds[policy]!;
    incident.holds = kept;
  }
  const held = new Set<string>();
  for (const c of candidates) {
    const forMs = c.policy.forMs;
    // Remembered without a `for:` too: how long a policy could have acted (remedy-choice.ts).
    const since = (incident.holds[c.policy.name] ??= now);
    if (forMs <= 0) continue;
    if (assumeHeld) {
      c.entry.reason = `${c.entry.reason}; for: ${seconds(forMs)} taken as held`;
      continue;
    }
    const heldMs = Math.max(0, now - since);
    if (heldMs >= forMs) {
      c.entry.reason = `${c.entry.reason}; held ${seconds(heldMs)} (for: ${seconds(forMs)})`;
    } else {
      c.entry.reason = `${c.entry.reason}; held: condition true for ${seconds(heldMs)} of ${seconds(forMs)}`;
      held.add(c.policy.name);
    }
  }
  return held;
}

/**
 * A new incident of a component whose previous incident resolved at most `carryMs` ago, and
 * had nothing acted on (no dispatch), starts with that incident's holds: what its conditions
 * were when it resolved (the last evaluation before the resolution brought them up to date).
 * The first evaluation of the new incident keeps only those still true, so a hold carries over
 * only where the conditions were true before the gap and are true after it. A ramp that crosses
 * a detection line back and forth opens and resolves incidents every few scrapes; without this
 * its `for:` would start over at every re-opening and never be served. A single outlier never
 * gains from it: its incident's conditions break on the next scrape (a cleared event), and a
 * hold only acts once it has lasted its `for:` from the first evaluation that found it true.
 */
export function carryHolds(
  state: EvaluatorState,
  incident: IncidentLadder,
  now: number,
  carryMs: number,
): void {
  if (carryMs <= 0) return;
  let previous: IncidentLadder | undefined;
  for (const other of Object.values(state.incidents)) {
    if (other === incident || other.component !== incident.component) continue;
    if (other.closedAt === null || other.closedAt > now) continue;
    if (!previous || (previous.closedAt ?? 0) < other.closedAt) previous = other;
  }
  if (!previous || previous.attempts > 0 || now - (previous.closedAt ?? 0) > carryMs) return;
  for (const [policy, since] of Object.entries(previous.holds))
    incident.holds[policy] = Math.min(incident.holds[policy] ?? since, since);
}
