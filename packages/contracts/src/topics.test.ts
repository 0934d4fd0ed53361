import { describe, expect, expectTypeOf, it } from 'vitest';
import type { HealingOutcome, MetricSample } from './generated/records.js';
import { topicCatalogue, topicsFor, type Topics, type ValueOf } from './topics.js';

describe('topic handles', () => {
  it('keep the physical names: prefix + logical name', () => {
    const t = topicsFor('hs.');
    expect(t.metrics).toEqual({ logical: 'metrics', topic: 'hs.metrics', record: 'MetricSample' });
    expect(t.escalationRequests.topic).toBe('hs.escalation-requests');
    expect(t.policyEvaluatorState).toEqual({
      logical: 'policy-evaluator.state',
      topic: 'hs.policy-evaluator.state',
      record: 'raw',
    });
    expect(t.deadLetters.map((d) => d.topic)).toContain('hs.healing-outcomes.dlq');
  });

  it('type each topic by the record it carries', () => {
    expectTypeOf<ValueOf<Topics['healingOutcomes']>>().toEqualTypeOf<HealingOutcome>();
    expectTypeOf<ValueOf<Topics['metrics']>>().toEqualTypeOf<MetricSample>();
    expectTypeOf<ValueOf<Topics['deadLetters'][number]>>().toEqualTypeOf<Buffer | null>();
  });

  it('list every topic once in the catalogue, changelogs and the control topic compacted', () => {
    const specs = topicCatalogue('hs.', 12);
    const names = specs.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain('hs.diagnoser.state');
    expect(specs.filter((s) => s.cleanupPolicy === 'compact').map((s) => s.name)).toEqual([
      'hs.control',
      'hs.detector.state',
      'hs.policy-evaluator.state',
      'hs.action-executor.ledger',
      'hs.escalator.state',
      'hs.policy-effectiveness',
    ]);
    expect(specs.find((s) => s.name === 'hs.diagnoses')?.record).toBe('Diagnosis');
    expect(specs.find((s) => s.name === 'hs.metrics.dlq')?.cleanupPolicy).toBe('delete');
    expect(specs.find((s) => s.name === 'hs.control')?.record).toBe('ControlRecord');
    expect(specs).toHaveLength(9 + 5 + 7);
  });

  it('has the broker stamp metrics on arrival, the clock silence is judged on', () => {
    const specs = topicCatalogue('hs.', 12);
    expect(specs.filter((s) => s.timestampType === 'LogAppendTime').map((s) => s.name)).toEqual([
      'hs.metrics',
    ]);
  });
});
