import { describe, expect, it } from 'vitest';
import { parseSamples } from './publish.js';

describe('parseSamples', () => {
  it('reads JSON lines, defaulting the timestamp to now', () => {
    const parsed = parseSamples(
      '{"component":"payments","metric":"latency_p99","value":600}\n\n{"component":"search","metric":"error_rate","value":0.2,"timestamp":5,"labels":{"v":1}}\n',
      1000,
    );
    expect(parsed.map((p) => p.sample)).toEqual([
      { component: 'payments', metric: 'latency_p99', value: 600, timestamp: 1000, labels: {} },
      { component: 'search', metric: 'error_rate', value: 0.2, timestamp: 5, labels: { v: '1' } },
    ]);
  });

  it('reads CSV with a header; extra columns become labels; ISO timestamps are accepted', () => {
    const parsed = parseSamples(
      'component,metric,value,timestamp,version\npayments,cpu_util,0.95,2026-01-01T00:00:00Z,v2\n',
      0,
    );
    expect(parsed[0]?.sample).toEqual({
      component: 'payments',
      metric: 'cpu_util',
      value: 0.95,
      timestamp: Date.parse('2026-01-01T00:00:00Z'),
      labels: { version: 'v2' },
    });
  });

  it('reports each bad line with its number and what is wrong, and keeps the good ones', () => {
    const parsed = parseSamples(
      '{"component":"a","metric":"m","value":1}\n{not json\n{"component":"a","value":"x"}\n',
      0,
    );
    expect(parsed.filter((p) => p.sample)).toHaveLength(1);
    expect(parsed.filter((p) => p.error).map((p) => [p.line, p.error])).toEqual([
      [2, expect.stringMatching(/^not JSON/)],
      [3, 'metric is missing; value "x" is not a number'],
    ]);
  });

  it('names the missing CSV columns', () => {
    expect(parseSamples('component,value\na,1\n', 0)[0]).toEqual({
      line: 1,
      error: 'CSV header lacks metric',
    });
  });
});
