import { describe, expect, it } from 'vitest';
import { chartSvg } from './chart.js';

describe('chartSvg', () => {
  it('draws each reading, marks the anomalous ones, the threshold and each action', () => {
    const svg = chartSvg({
      series: [
        {
          metric: 'latency_p99_ms',
          points: [
            { at: 1000, value: 200 },
            { at: 2000, value: 640 },
            { at: 3000, value: 180 },
          ],
          anomalies: [{ at: 2000, value: 640, baseline: 500, score: 1, detector: 'threshold' }],
          threshold: 500,
        },
      ],
      actions: [{ at: 2500, label: 'restart <now>', status: 'issued' }],
    });
    expect(svg.match(/<circle class="point/g)).toHaveLength(3);
    expect(svg.match(/class="point anomaly"/g)).toHaveLength(1);
    expect(svg).toContain('threshold 500');
    expect(svg).toContain('class="action"');
    expect(svg).toContain('restart &lt;now&gt;');
    expect(svg).toContain(
      'aria-label="latency_p99_ms: 3 readings, 1 anomalous, threshold 500, 1 action marks"',
    );
  });

  it('says so when there is nothing to draw', () => {
    expect(chartSvg({ series: [], actions: [] })).toContain('No metric readings');
  });
});
