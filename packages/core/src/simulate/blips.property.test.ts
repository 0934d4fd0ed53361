import type { MetricSample } from '@healstream/contracts';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveDetectorConfig } from '../detect/config.js';
import { parsePolicies } from '../policy/parse.js';
import type { Policy } from '../policy/types.js';
import { runSimulation } from './run.js';

const SHIPPED = parsePolicies(
  readFileSync(new URL('../../../../policies/default.yaml', import.meta.url), 'utf8'),
  'default.yaml',
);
/** Every file the evaluator loads by default from policies/: the five, silence, the cause policies. */
const ALL_SHIPPED = ['default.yaml', 'silence.yaml', 'causes.yaml'].flatMap((file) =>
  parsePolicies(
    readFileSync(new URL(`../../../../policies/${file}`, import.meta.url), 'utf8'),
    file,
  ),
);
const T0 = Date.parse('2026-03-01T10:00:00Z');
const STEP_MS = 5_000;

interface Service {
  latency: number;
  errors: number;
  throughput: number;
  cpu: number;
  memory: number;
}
type Outlier = { metric: keyof Service; value: number };

/** A healthy service's levels: well inside every default policy's conditions. */
const serviceArb: fc.Arbitrary<Service> = fc.record({
  latency: fc.double({ min: 60, max: 220, noNaN: true }),
  errors: fc.double({ min: 0, max: 0.03, noNaN: true }),
  throughput: fc.double({ min: 700, max: 2000, noNaN: true }),
  cpu: fc.double({ min: 0.1, max: 0.6, noNaN: true }),
  memory: fc.double({ min: 0.2, max: 0.6, noNaN: true }),
});

/** One bad sample of one metric, as bad as a blip gets (a 540 ms latency among them). */
const outlierArb: fc.Arbitrary<Outlier> = fc.oneof(
  fc.record({
    metric: fc.constant('latency' as const),
    value: fc.oneof(fc.constant(540), fc.double({ min: 501, max: 5000, noNaN: true })),
  }),
  fc.record({
    metric: fc.constant('errors' as const),
    value: fc.double({ min: 0.16, max: 1, noNaN: true }),
  }),
  fc.record({
    metric: fc.constant('throughput' as const),
    value: fc.double({ min: 0, max: 499, noNaN: true }),
  }),
  fc.record({
    metric: fc.constant('cpu' as const),
    value: fc.double({ min: 0.91, max: 1, noNaN: true }),
  }),
);

/** Scrapes of healthy noise (±noise around the levels); every other one at most has an outlier. */
interface Stream {
  service: Service;
  noise: number;
  seed: number;
  /** Per scrape: its outliers, or null for a healthy one. */
  scrapes: (Outlier[] | null)[];
}

const streamArb: fc.Arbitrary<Stream> = fc.record({
  service: serviceArb,
  noise: fc.double({ min: 0, max: 0.15, noNaN: true }),
  seed: fc.integer(),
  scrapes: fc.array(fc.option(fc.array(outlierArb, { minLength: 1, maxLength: 2 }), { freq: 4 }), {
    minLength: 40,
    maxLength: 160,
  }),
});

function samplesOf(stream: Stream): MetricSample[] {
  let state = stream.seed >>> 0 || 1;
  const rand = () => {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    return state / 2 ** 32;
  };
  const jitter = (v: number) => v * (1 + stream.noise * (2 * rand() - 1));
  const out: MetricSample[] = [];
  let previousHadOutlier = false;
  stream.scrapes.forEach((outliers, i) => {
    // Isolated: an outlier never follows one in the scrape before.
    const bad = outliers && !previousHadOutlier ? outliers : [];
    previousHadOutlier = bad.length > 0;
    const s = stream.service;
    const value = (metric: keyof Service, normal: number) =>
      bad.find((o) => o.metric === metric)?.value ?? normal;
    const at = T0 + i * STEP_MS;
    const put = (metric: string, v: number) =>
      out.push({ component: 'payments', metric, value: v, timestamp: at, labels: {} });
    put('latency_p99', value('latency', jitter(s.latency)));
    put('error_rate', value('errors', Math.min(1, jitter(s.errors))));
    put('throughput', value('throughput', jitter(s.throughput)));
    put('cpu_util', value('cpu', Math.min(1, jitter(s.cpu))));
    put('memory_util', value('memory', Math.min(1, jitter(s.memory))));
  });
  return out;
}

function commandsFor(samples: MetricSample[], policies: readonly Policy[], statistical: boolean) {
  const { timeline } = runSimulation(
    { samples: samples.map((s, line) => ({ ...s, line })), outcomeRules: [], errors: [] },
    { policies, detector: resolveDetectorConfig({ statistical: { enabled: statistical } }) },
  );
  return timeline.filter((e) => e.kind === 'command');
}

describe('no action on a blip', () => {
  it('healthy noise with isolated outliers never produces a command (default policies)', () => {
    fc.assert(
      fc.property(streamArb, fc.boolean(), (stream, statistical) => {
        expect(commandsFor(samplesOf(stream), SHIPPED, statistical)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('healthy noise with isolated outliers never produces a command (every shipped policy file)', () => {
    fc.assert(
      fc.property(streamArb, fc.boolean(), (stream, statistical) => {
        expect(commandsFor(samplesOf(stream), ALL_SHIPPED, statistical)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it('an outlier as the first sample is no usual level: no traffic spike against a throughput of 0 (a case the property found)', () => {
    const scrapes: Stream['scrapes'] = Array.from({ length: 45 }, () => null);
    scrapes[0] = [{ metric: 'throughput', value: 0 }];
    scrapes[2] = [{ metric: 'latency', value: 501 }];
    scrapes[35] = [{ metric: 'cpu', value: 0.91 }];
    scrapes[37] = [{ metric: 'latency', value: 501 }];
    const stream: Stream = {
      service: { latency: 60, errors: 0, throughput: 700, cpu: 0.1, memory: 0.2 },
      noise: 0,
      seed: 0,
      scrapes,
    };
    expect(commandsFor(samplesOf(stream), ALL_SHIPPED, true)).toEqual([]);
  });

  it('two outliers three scrapes apart do not serve one hold between them (a case the property found)', () => {
    const scrapes: Stream['scrapes'] = Array.from({ length: 40 }, () => null);
    scrapes[7] = [
      { metric: 'errors', value: 0.16 },
      { metric: 'throughput', value: 0 },
    ];
    scrapes[10] = [
      { metric: 'throughput', value: 0 },
      { metric: 'cpu', value: 0.91 },
    ];
    const stream: Stream = {
      service: { latency: 60, errors: 0, throughput: 700, cpu: 0.1, memory: 0.2 },
      noise: 0,
      seed: 0,
      scrapes,
    };
    expect(commandsFor(samplesOf(stream), SHIPPED, false)).toEqual([]);
  });

  it('is the hold that does it: the same policies without for: restart on one 540 ms sample', () => {
    const atOnce = SHIPPED.map((p) => ({ ...p, forMs: 0 }));
    const blip = samplesOf({
      service: { latency: 120, errors: 0.01, throughput: 900, cpu: 0.3, memory: 0.4 },
      noise: 0.05,
      seed: 7,
      scrapes: Array.from({ length: 40 }, (_, i) =>
        i === 30 ? [{ metric: 'latency' as const, value: 540 }] : null,
      ),
    });
    expect(commandsFor(blip, SHIPPED, true)).toEqual([]);
    const acted = commandsFor(blip, atOnce, true);
    expect(acted.map((e) => (e.kind === 'command' ? e.command.policy.name : ''))).toEqual([
      'Critical Latency Spike',
    ]);
  });

  it('still heals a sustained fault within seconds', () => {
    const fault = samplesOf({
      service: { latency: 120, errors: 0.01, throughput: 900, cpu: 0.3, memory: 0.4 },
      noise: 0.05,
      seed: 3,
      scrapes: Array.from({ length: 40 }, () => null),
    }).map((s) =>
      s.metric === 'latency_p99' && s.timestamp >= T0 + 30 * STEP_MS ? { ...s, value: 800 } : s,
    );
    const commands = commandsFor(fault, SHIPPED, true);
    expect(commands[0]?.at).toBe(T0 + 32 * STEP_MS); // 10 s (for: 10s) after the first bad sample
  });
});
