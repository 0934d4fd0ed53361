import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from '@healstream/agent';
import { toSamples } from './to-samples.js';

describe('parsePrometheusText', () => {
  it('reads samples with labels, escapes, special values and timestamps; skips comments', () => {
    const { samples, errors } = parsePrometheusText(
      [
        '# HELP latency_p99_ms p99',
        '# TYPE latency_p99_ms gauge',
        'latency_p99_ms{component="payments",version="v2"} 612.5',
        'note{text="a \\"quoted\\" \\\\ value"} 1',
        'up 1 1700000000000',
        'max_value +Inf',
        '',
      ].join('\n'),
    );
    expect(errors).toEqual([]);
    expect(samples).toEqual([
      { name: 'latency_p99_ms', labels: { component: 'payments', version: 'v2' }, value: 612.5 },
      { name: 'note', labels: { text: 'a "quoted" \\ value' }, value: 1 },
      { name: 'up', labels: {}, value: 1, timestamp: 1700000000000 },
      { name: 'max_value', labels: {}, value: Number.POSITIVE_INFINITY },
    ]);
  });

  it('reports the lines it cannot read, by number', () => {
    const { samples, errors } = parsePrometheusText('ok 1\nbad line here\nx{a="1" b} 2\ny abc\n');
    expect(samples).toHaveLength(1);
    expect(errors).toEqual([
      expect.stringMatching(/^line 2/),
      expect.stringMatching(/^line 3: bad labels/),
      "line 4: bad value 'abc'",
    ]);
  });
});

describe('toSamples', () => {
  it('turns a page into MetricSamples, with up and scrape_duration_ms, dropping histogram parts', () => {
    const { samples } = parsePrometheusText(
      'latency_p99_ms{component="payments",version="v2"} 600\nreq_bucket{le="1"} 3\nreq_total 5\nx NaN\n',
    );
    const out = toSamples({ component: 'payments', text: '', durationMs: 4 }, samples, 1000);
    expect(out).toEqual([
      { component: 'payments', metric: 'up', value: 1, timestamp: 1000, labels: {} },
      {
        component: 'payments',
        metric: 'scrape_duration_ms',
        value: 4,
        timestamp: 1000,
        labels: {},
      },
      {
        component: 'payments',
        metric: 'latency_p99', // latency_p99_ms through the alias table
        value: 600,
        timestamp: 1000,
        labels: { version: 'v2' },
      },
    ]);
  });

  it('still reports a component it could not scrape, as up 0 with the reason', () => {
    const out = toSamples({ component: 'search', error: 'ECONNREFUSED', durationMs: 1 }, [], 5);
    expect(out[0]).toEqual({
      component: 'search',
      metric: 'up',
      value: 0,
      timestamp: 5,
      labels: { error: 'ECONNREFUSED' },
    });
  });
});
