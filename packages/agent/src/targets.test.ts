import { describe, expect, it } from 'vitest';
import { parseTargets } from './targets.js';

const issuesOf = (text: string) => {
  try {
    parseTargets(text, 'targets.yaml');
  } catch (error) {
    return (error as Error).message.split('\n');
  }
  throw new Error('expected the file to be refused');
};

describe('parseTargets', () => {
  it('reads targets, defaults and ratios (match regexes anchored like =~)', () => {
    const settings = parseTargets(
      [
        'interval_seconds: 5',
        'targets:',
        '  - component: payments',
        '    url: http://127.0.0.1:9100/metrics',
        'ratios:',
        '  - name: error_rate',
        '    numerator: { counter: http_requests_total, match: { code: "5.." } }',
        '    denominator: { counter: http_requests_total }',
      ].join('\n'),
      'targets.yaml',
    );
    expect(settings).toMatchObject({
      intervalMs: 5000,
      timeoutMs: 5000,
      quantiles: [0.5, 0.9, 0.99],
      targets: [{ component: 'payments', url: 'http://127.0.0.1:9100/metrics' }],
    });
    const match = settings.ratios[0]!.numerator.match['code']!;
    expect([match.test('503'), match.test('200'), match.test('5030')]).toEqual([
      true,
      false,
      false,
    ]);
  });

  it('names file, line, column and field of each problem', () => {
    expect(
      issuesOf(
        [
          'interval_seconds: 5',
          'timeout_seconds: 2',
          'targets:',
          '  - component: payments',
          '    url: ftp://x/metrics',
          '  - componnt: search',
          '    url: http://127.0.0.1:1/metrics',
          'ratios:',
          '  - name: error rate',
          '    numerator: { counter: a, match: { code: "5.[" } }',
          '    denominator: { counter: b }',
        ].join('\n'),
      ),
    ).toEqual([
      'targets.yaml:5:10: targets[0].url: must be an http(s) URL',
      'targets.yaml:6:5: targets[1].component: missing required field (string)',
      "targets.yaml:6:5: targets[1].componnt: unknown field 'componnt' (did you mean 'component'?)",
      'targets.yaml:9:11: ratios[0].name: is not a Prometheus metric name',
      'targets.yaml:10:45: ratios[0].numerator.match.code: is not a valid regular expression',
    ]);
  });

  it('refuses two pages for one component and a timeout longer than the interval', () => {
    expect(
      issuesOf(
        [
          'interval_seconds: 5',
          'timeout_seconds: 6',
          'targets:',
          '  - { component: payments, url: "http://a/metrics" }',
          '  - { component: payments, url: "http://b/metrics" }',
        ].join('\n'),
      ),
    ).toEqual([
      'targets.yaml:2:18: timeout_seconds: 6 is longer than interval_seconds (5)',
      "targets.yaml:5:18: targets[1].component: 'payments' is scraped by targets[0] already (one page per component)",
    ]);
  });

  it('reports a YAML syntax error with its line', () => {
    expect(issuesOf('targets: [\n')[0]).toMatch(/^targets\.yaml:\d+:\d+: YAML syntax error/);
  });
});
