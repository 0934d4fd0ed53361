import type { HealingCommand } from '@healstream/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyOutcome } from './apply-outcome.js';
import { partitionBudget, resolveDecisionConfig, type DecisionConfig } from './config.js';
import { decide } from './decide.js';
import { emptyState, type EvaluatorState } from './state.js';
import { diagnosisOf, outcomeOf, policiesOf, T0 } from './decide.test-support.js';

const policies = policiesOf(`
- name: Restart
  conditions: [{metric: x, operator: gt, threshold: 10}]
  actions: [restart-service]
  priority: 9
  cooldown_seconds: 120
  max_per_hour: 4
- name: Scale
  conditions: [{metric: x, operator: gt, threshold: 30}]
  actions: [scale-up]
  priority: 7
  cooldown_seconds: 300
- name: Breaker
  conditions: [{metric: y, operator: gte, threshold: 1}]
  actions: [enable-circuit-breaker]
  priority: 7
  cooldown_seconds: 30
- name: Shadowed
  conditions: [{metric: x, operator: gt, threshold: 20}]
  actions: [fallback-mode]
  priority: 10
  mode: shadow
`);
const cooldownOf = new Map(policies.map((p) => [p.name, p.cooldownSeconds * 1000]));
const maxPerHourOf = new Map(policies.map((p) => [p.name, p.maxPerHour]));

type Step =
  | {
      kind: 'diagnose';
      dt: number;
      component: number;
      incident: number;
      x: number;
      y: number;
      resolved: boolean;
    }
  | {
      kind: 'outcome';
      dt: number;
      pick: number;
      verification: 'RECOVERED' | 'NOT_RECOVERED' | 'UNKNOWN';
      failed: boolean;
    };

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('diagnose' as const),
      dt: fc.integer({ min: 0, max: 90_000 }),
      component: fc.integer({ min: 0, max: 4 }),
      incident: fc.integer({ min: 0, max: 3 }),
      x: fc.integer({ min: 0, max: 60 }),
      y: fc.integer({ min: 0, max: 2 }),
      resolved: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('outcome' as const),
      dt: fc.integer({ min: 0, max: 60_000 }),
      pick: fc.nat(),
      verification: fc.constantFrom(
        'RECOVERED' as const,
        'NOT_RECOVERED' as const,
        'UNKNOWN' as const,
      ),
      failed: fc.boolean(),
    }),
  },
);

const configArb = fc.record({
  perComponentPerHour: fc.integer({ min: 1, max: 8 }),
  fleetPerMinute: fc.integer({ min: 2, max: 30 }),
  fleetPerHour: fc.integer({ min: 4, max: 120 }),
  partitionCount: fc.integer({ min: 1, max: 4 }),
  commandTimeoutMs: fc.integer({ min: 1000, max: 200_000 }),
  inFlightGraceMs: fc.integer({ min: 0, max: 60_000 }),
  maxAttempts: fc.integer({ min: 1, max: 4 }),
  incidentRetentionMs: fc.integer({ min: 0, max: 600_000 }),
});

interface Run {
  dispatched: HealingCommand[];
  /** commandId → when its outcome was applied. */
  settled: Map<string, number>;
  states: EvaluatorState[];
}

/** Plays the steps; `roundTrip` serialises the state before every call, as a restart would. */
function play(
  steps: Step[],
  config: DecisionConfig,
  roundTrip = false,
  incidentEpochMs = Infinity,
): Run {
  let state = emptyState();
  let now = T0;
  const run: Run = { dispatched: [], settled: new Map(), states: [] };
  const open: HealingCommand[] = [];
  const restore = (s: EvaluatorState) =>
    roundTrip ? (JSON.parse(JSON.stringify(s)) as EvaluatorState) : s;
  for (const step of steps) {
    now += step.dt;
    if (step.kind === 'diagnose') {
      const diagnosis = diagnosisOf({ x: step.x, y: step.y }, now, {
        component: `c${step.component}`,
        // With a finite epoch, incident ids keep changing over time, as in production.
        incidentId: `c${step.component}-i${step.incident}-${Number.isFinite(incidentEpochMs) ? Math.floor(now / incidentEpochMs) : 0}`,
        kind: step.resolved && step.x < 5 ? 'RESOLVED' : 'ANOMALY',
      });
      const result = decide({ diagnosis, state: restore(state), policies, config, now });
      state = result.state;
      for (const c of result.commands) {
        if (c.mode !== 'ENFORCE') continue;
        run.dispatched.push(c);
        open.push(c);
      }
    } else if (open.length > 0) {
      const [command] = open.splice(step.pick % open.length, 1);
      if (!command) continue;
      state = applyOutcome(
        restore(state),
        outcomeOf(command, step.verification, now, step.failed),
        now,
        config,
      );
      run.settled.set(command.commandId, now);
    }
    run.states.push(state);
  }
  return run;
}

const runs = { numRuns: 150 };
const streams = fc.array(stepArb, { minLength: 1, maxLength: 250 });

describe('decide: invariants over random streams', () => {
  it('never dispatches more than a rate limit allows in any window', () => {
    fc.assert(
      fc.property(configArb, streams, (input, steps) => {
        const config = resolveDecisionConfig(input);
        const { dispatched } = play(steps, config);
        const minute = partitionBudget(config.fleetPerMinute, config.partitionCount);
        const hour = partitionBudget(config.fleetPerHour, config.partitionCount);
        for (const c of dispatched) {
          const t = c.issuedAt;
          const within = (ms: number) =>
            dispatched.filter((d) => d.issuedAt > t - ms && d.issuedAt <= t);
          expect(within(60_000).length).toBeLessThanOrEqual(minute);
          expect(within(3_600_000).length).toBeLessThanOrEqual(hour);
          expect(
            within(3_600_000).filter((d) => d.component === c.component).length,
          ).toBeLessThanOrEqual(config.perComponentPerHour);
          const perPolicy = maxPerHourOf.get(c.policy.name);
          if (perPolicy) {
            const n = within(3_600_000).filter(
              (d) => d.component === c.component && d.policy.name === c.policy.name,
            ).length;
            expect(n).toBeLessThanOrEqual(perPolicy);
          }
        }
      }),
      runs,
    );
  });

  it('never has two commands in flight for one component (a command past deadline + grace is lost)', () => {
    fc.assert(
      fc.property(configArb, streams, (input, steps) => {
        const config = resolveDecisionConfig(input);
        const { dispatched, settled } = play(steps, config);
        for (const [i, c] of dispatched.entries()) {
          for (const earlier of dispatched.slice(0, i)) {
            if (earlier.component !== c.component) continue;
            const settledAt = settled.get(earlier.commandId) ?? Infinity;
            const stillInFlight =
              settledAt > c.issuedAt && c.issuedAt <= earlier.deadline + config.inFlightGraceMs;
            expect(stillInFlight).toBe(false);
          }
        }
      }),
      runs,
    );
  });

  it('never violates a cooldown', () => {
    fc.assert(
      fc.property(configArb, streams, (input, steps) => {
        const { dispatched } = play(steps, resolveDecisionConfig(input));
        for (const [i, c] of dispatched.entries()) {
          const previous = dispatched
            .slice(0, i)
            .filter((d) => d.component === c.component && d.policy.name === c.policy.name)
            .at(-1);
          if (previous)
            expect(c.issuedAt - previous.issuedAt).toBeGreaterThanOrEqual(
              cooldownOf.get(c.policy.name) ?? 0,
            );
        }
      }),
      runs,
    );
  });

  it('decides exactly the same from a state serialised and restored at every step', () => {
    fc.assert(
      fc.property(configArb, streams, (input, steps) => {
        const config = resolveDecisionConfig(input);
        const direct = play(steps, config);
        const restored = play(steps, config, true);
        expect(restored.dispatched).toEqual(direct.dispatched);
        expect(restored.states).toEqual(direct.states);
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the state bounded over a long random stream', () => {
    const epoch = 300_000;
    const config = resolveDecisionConfig({
      incidentRetentionMs: 600_000,
      idleIncidentMs: 900_000,
      fleetPerHour: 200,
      partitionCount: 1,
    });
    // An incident id lives one epoch and is kept at most idle (or retention) after: 5 components
    // × 4 ids × (1 + 900 000 / 300 000 + 1) epochs.
    const incidentBound = 5 * 4 * 5;
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 3000, maxLength: 3000 }), (steps) => {
        const { states } = play(steps, config, false, epoch);
        let largest = 0;
        for (const s of states) {
          expect(Object.keys(s.incidents).length).toBeLessThanOrEqual(incidentBound);
          expect(s.dispatches.length).toBeLessThanOrEqual(200);
          for (const inc of Object.values(s.incidents))
            expect(inc.history.length).toBeLessThanOrEqual(config.maxAttempts);
          largest = Math.max(largest, Object.keys(s.incidents).length);
        }
        const last = states.at(-1);
        expect(JSON.stringify(last).length).toBeLessThan(100_000);
        return largest > 0;
      }),
      { numRuns: 5 },
    );
  }, 60_000);
});
