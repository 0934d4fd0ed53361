import { describe, expect, it } from 'vitest';
import { resolveDecisionConfig } from './config.js';
import {
  pruneEffectiveness,
  type EffectivenessState,
  type PolicyRecord,
} from './over-time-state.js';
import type { EffectivenessConfig } from './over-time-config.js';

/** pruneEffectiveness as it was before records kept their oldest attempts: every attempt read. */
function reference(
  state: EffectivenessState,
  now: number,
  config: EffectivenessConfig,
): EffectivenessState {
  const kept: EffectivenessState = {};
  for (const [component, byPolicy] of Object.entries(state)) {
    const policies: EffectivenessState[string] = {};
    for (const [policy, byCause] of Object.entries(byPolicy)) {
      const causes: Record<string, PolicyRecord> = {};
      for (const [cause, record] of Object.entries(byCause)) {
        const stale = record.attempts.some(
          (a) =>
            now - a.at > config.windowMs ||
            (a.result === 'pending' && now - a.at >= config.stableMs),
        );
        if (!stale && record.attempts.length > 0) {
          causes[cause] = record;
          continue;
        }
        const attempts = record.attempts
          .filter((a) => now - a.at <= config.windowMs)
          .map((a) =>
            a.result === 'pending' && now - a.at >= config.stableMs
              ? { ...a, result: 'success' as const }
              : a,
          );
        if (attempts.length > 0 || record.demotedAt !== null)
          causes[cause] = { attempts, demotedAt: attempts.length > 0 ? record.demotedAt : null };
      }
      if (Object.keys(causes).length > 0) policies[policy] = causes;
    }
    if (Object.keys(policies).length > 0) kept[component] = policies;
  }
  return kept;
}

const config = resolveDecisionConfig({ partitionCount: 1 }).effectiveness;

describe('pruning effectiveness records', () => {
  it('keeps, settles and drops exactly what reading every attempt did, as time goes on', () => {
    let x = 3;
    const rand = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const results = ['pending', 'success', 'failure'] as const;
    let changed = 0;
    for (let round = 0; round < 200; round++) {
      const t0 = 1_000_000_000 + round * 1e6;
      const state: EffectivenessState = {};
      for (let c = 0; c < 3; c++)
        for (let p = 0; p < 3; p++) {
          const n = Math.floor(rand() * 8);
          const record: PolicyRecord = {
            attempts: Array.from({ length: n }, (_, i) => ({
              commandId: `cmd-${c}-${p}-${i}`,
              at: t0 + Math.floor(rand() * config.windowMs),
              result: results[Math.floor(rand() * 3)]!,
            })),
            demotedAt: rand() < 0.3 ? t0 : null,
          };
          ((state[`c${c}`] ??= {})[`p${p}`] ??= {})[rand() < 0.5 ? 'overload' : ''] = record;
        }
      // The same records asked again and again, later each time: what is kept beside a record
      // must still answer for a later `now`.
      for (let step = 0; step < 12; step++) {
        const now = t0 + Math.floor((step / 8) * (config.windowMs + config.stableMs));
        const expected = reference(state, now, config);
        const actual = pruneEffectiveness(state, now, config);
        expect(JSON.stringify(actual)).toBe(JSON.stringify(expected));
        if (JSON.stringify(expected) !== JSON.stringify(state)) changed++;
      }
    }
    // Most steps change something (a pending attempt settles, an old one leaves the window).
    expect(changed).toBeGreaterThan(1000);
  });
});
