import { describe, expect, it } from 'vitest';
import { lastJsonObject, parseGoals, targets, type BenchResult } from './goals.js';

const ok = (report: Record<string, unknown>): BenchResult => ({
  reproduce: 'cmd',
  seconds: 1,
  report,
});

describe('the targets report of pnpm bench', () => {
  it('reads the last JSON object a bench printed, after its progress lines', () => {
    const stdout = 'round 1: a: 5 records/s\n{\n  "a": {\n    "b": 1\n  }\n}\n';
    expect(lastJsonObject(stdout)).toEqual({ a: { b: 1 } });
    expect(() => lastJsonObject('no report here\n')).toThrow(/no JSON report/);
  });

  it('names an unknown bench in --goals', () => {
    expect(parseGoals('all')).toEqual(['decisions', 'scale', 'memory', 'clients']);
    expect(parseGoals('none')).toEqual([]);
    expect(parseGoals('scale, decisions')).toEqual(['scale', 'decisions']);
    expect(() => parseGoals('decisions,speed')).toThrow(/unknown bench 'speed'/);
  });

  it('judges each target by its own bench and leaves one not run undecided', () => {
    const t = targets(
      { detectorToRawRatio: 0.71, metricToCommandP99Ms: 151, metricToOutcomeP99Ms: 300 },
      {
        decisions: ok({ keyedPerSecond: 99_999 }),
        scale: ok({ largestToSmallest: 1.3 }),
        memory: ok({
          rssByService: {
            detector: { medianMiB: 120, maxMiB: 151 },
            escalator: { medianMiB: 100, maxMiB: 110 },
          },
        }),
      },
    );
    expect(t['detectorToRaw']).toMatchObject({ figure: 0.71, met: true });
    expect(t['metricToCommandP99']).toMatchObject({ figure: 151, met: false });
    expect(t['metricToOutcomeP99']).toMatchObject({ figure: 300, met: true });
    expect(t['decisionsPerSecond']).toMatchObject({ figure: 99_999, met: false });
    expect(t['scale']).toMatchObject({ figure: 1.3, met: true });
    // The largest of every service's median and max.
    expect(t['residentMemory']).toMatchObject({ figure: 151, met: false });
    expect(t['clientComparison']).toMatchObject({ figure: null, met: null });
  });

  it('leaves a target undecided when its bench failed or its phase was skipped', () => {
    const t = targets(
      { metricToCommandP99Ms: null, metricToOutcomeP99Ms: null },
      { decisions: { reproduce: 'cmd', seconds: 1, error: 'cmd: exited with 1' } },
    );
    expect(t['detectorToRaw']).toMatchObject({ figure: null, met: null });
    expect(t['metricToCommandP99']).toMatchObject({ figure: null, met: null });
    expect(t['decisionsPerSecond']).toMatchObject({ figure: null, met: null });
  });
});
