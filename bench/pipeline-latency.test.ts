import { describe, expect, it } from 'vitest';
import { latencyTail, type LatencyReport } from './pipeline-latency.js';

const run = (
  incidents: [event: number | null, diagnosis: number | null, command: number][],
): LatencyReport =>
  ({
    commandLatenciesMs: incidents.map(([, , c]) => c),
    eventLatenciesMs: incidents.map(([e]) => e),
    diagnosisLatenciesMs: incidents.map(([, d]) => d),
  }) as LatencyReport;

describe('the latency tail of pnpm bench', () => {
  it('splits the slowest tenth of the pooled incidents by stage', () => {
    // 20 incidents over two runs: 18 quick ones, two slow ones held up in the diagnoser.
    const quick = Array.from({ length: 9 }, () => [20, 30, 40] as [number, number, number]);
    const tail = latencyTail([run([...quick, [25, 225, 240]]), run([...quick, [30, 200, 210]])]);
    expect(tail.all).toEqual({ incidents: 20, detectorMs: 20, diagnoserMs: 10, evaluatorMs: 10 });
    // ceil(20 / 10) = the two slowest: the diagnoser's 200 and 170 ms, median of two the higher.
    expect(tail.slowestTenth).toEqual({
      incidents: 2,
      detectorMs: 30,
      diagnoserMs: 200,
      evaluatorMs: 15,
    });
    expect(tail.slowestFive[0]).toEqual([25, 225, 240]);
    expect(tail.slowestFive[1]).toEqual([30, 200, 210]);
  });

  it('leaves out an incident whose event or diagnosis was not seen', () => {
    const tail = latencyTail([
      run([
        [null, 30, 40],
        [20, null, 40],
        [20, 30, 40],
      ]),
    ]);
    expect(tail.all.incidents).toBe(1);
  });
});
