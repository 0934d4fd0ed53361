import type { Diagnosis, HealingCommand, HealingOutcome } from '@healstream/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyOutcome } from './apply-outcome.js';
import { resolveDecisionConfig } from './config.js';
import { decide } from './decide.js';
import { diagnosisOf, outcomeOf, policiesOf, T0 } from './decide.test-support.js';
import { emptyState } from './state.js';

const MIN = 60_000;
const policies = policiesOf(`
- name: restart
  conditions: [{ metric: x, operator: gt, threshold: 1 }]
  actions: [restart-service]
  priority: 9
  cooldown_seconds: 0
- name: scale
  conditions: [{ metric: x, operator: gt, threshold: 1 }]
  actions: [scale-up]
  priority: 5
  cooldown_seconds: 0
`);
const config = resolveDecisionConfig({ partitionCount: 1, perComponentPerHour: 100_000 });

const anomaly = (incidentId: string, at: number): Diagnosis =>
  diagnosisOf({ x: 5 }, at, {
    incidentId,
    eventId: `ev-${incidentId}-${at}`,
    causes: [{ cause: 'memory-leak', confidence: 0.9, evidence: [] }],
  });

/** One incident per gap: opened, its command's outcome, closed; on a virtual clock. */
const run = fc.array(
  fc.record({
    gapMin: fc.integer({ min: 1, max: 90 }),
    verification: fc.constantFrom<HealingOutcome['verification']>('RECOVERED', 'NOT_RECOVERED'),
  }),
  { minLength: 1, maxLength: 40 },
);

describe('flap damping, for any run of incidents', () => {
  it('never dispatches while suppressed, and pages once per suppression', () => {
    fc.assert(
      fc.property(run, (incidents) => {
        let state = emptyState();
        let at = T0;
        let suppressions = 0;
        let flappingPages = 0;
        let wasSuppressed = false;
        incidents.forEach(({ gapMin, verification }, i) => {
          at += gapMin * MIN;
          const id = `inc-${i}`;
          const r = decide({ diagnosis: anomaly(id, at), state, policies, config, now: at });
          state = r.state;
          const flap = state.flaps['payments']?.['memory-leak'];
          flappingPages += r.escalations.filter((e) => e.source === 'FLAPPING').length;
          if (r.decision.verdict === 'SKIPPED_FLAPPING') {
            expect(r.commands.filter((c) => c.mode === 'ENFORCE')).toEqual([]);
            expect(flap?.suppressed).toBe(true);
            if (!wasSuppressed) suppressions++;
          } else if (flap) {
            expect(flap.suppressed).toBe(false);
          }
          wasSuppressed = flap?.suppressed ?? false;
          const command = r.commands.find((c) => c.mode === 'ENFORCE') as
            HealingCommand | undefined;
          if (command)
            state = applyOutcome(
              state,
              outcomeOf(command, verification, at + MIN),
              at + MIN,
              config,
            );
          const close = {
            ...anomaly(id, at + 2 * MIN),
            kind: 'RESOLVED' as const,
            eventId: `ev-${id}-r`,
          };
          state = decide({ diagnosis: close, state, policies, config, now: at + 2 * MIN }).state;
        });
        expect(flappingPages).toBe(suppressions);
        // Without RECOVERED cures there is nothing to flap.
        if (incidents.every((x) => x.verification === 'NOT_RECOVERED'))
          expect(suppressions).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('a run of quick re-opens after cures always ends suppressed within suppressAt + 2 incidents', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 8, maxLength: 20 }),
        (gaps) => {
          let state = emptyState();
          let at = T0;
          const verdicts: string[] = [];
          gaps.forEach((gap, i) => {
            at += gap * MIN;
            const id = `inc-${i}`;
            const r = decide({ diagnosis: anomaly(id, at), state, policies, config, now: at });
            verdicts.push(r.decision.verdict);
            state = r.state;
            const command = r.commands.find((c) => c.mode === 'ENFORCE') as
              HealingCommand | undefined;
            if (command)
              state = applyOutcome(
                state,
                outcomeOf(command, 'RECOVERED', at + 30_000),
                at + 30_000,
                config,
              );
            const close = {
              ...anomaly(id, at + 45_000),
              kind: 'RESOLVED' as const,
              eventId: `ev-${id}-r`,
            };
            state = decide({ diagnosis: close, state, policies, config, now: at + 45_000 }).state;
          });
          const first = verdicts.indexOf('SKIPPED_FLAPPING');
          expect(first).toBeGreaterThan(0);
          expect(first).toBeLessThanOrEqual(config.flap.suppressAt + 2);
          expect(verdicts.slice(first).every((v) => v === 'SKIPPED_FLAPPING')).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});
