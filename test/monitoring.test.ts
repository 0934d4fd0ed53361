import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { histogramQuantile } from '@healstream/agent';
import { infraSettings } from '@healstream/infra';
import { DASHBOARD_FILE, renderDashboard } from '../deploy/generate.js';

// promtool from Debian's prometheus package (scripts/ensure-prometheus.sh installs it).
const root = infraSettings().repoRoot;
const monitoring = join(root, 'deploy/monitoring');
const promtool = (...args: string[]) =>
  execFileSync(process.env['PROMTOOL_BIN'] ?? 'promtool', args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
const temp = (name: string, text: string) => {
  const file = join(mkdtempSync(join(tmpdir(), 'healstream-promtool-')), name);
  writeFileSync(file, text);
  return file;
};

const alertRules = () =>
  (
    parse(readFileSync(join(monitoring, 'healstream-alerts.yaml'), 'utf8')) as {
      groups: { rules: { alert: string; expr: string }[] }[];
    }
  ).groups.flatMap((g) => g.rules);
const dashboardExprs = () =>
  (
    JSON.parse(readFileSync(join(root, DASHBOARD_FILE), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
    }
  ).panels.flatMap((p) => p.targets.map((t) => ({ title: p.title, expr: t.expr })));

/** Every metric name healstream's services define with prom-client, read from their sources. */
function exportedMetrics(): { names: Set<string>; histograms: Set<string> } {
  const names = new Set<string>();
  const histograms = new Set<string>();
  const dirs = ['packages', 'services'].flatMap((d) =>
    readdirSync(join(root, d)).map((p) => join(root, d, p, 'src')),
  );
  const files = dirs.flatMap((dir) => {
    try {
      return readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.ts') && !f.includes('.test.'))
        .map((f) => join(dir, f));
    } catch {
      return [];
    }
  });
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    for (const m of source.matchAll(
      /new (Counter|Gauge|Histogram|Summary)\(\{\s*name: '(healstream_[a-z0-9_]+)'/g,
    )) {
      names.add(m[2]!);
      if (m[1] === 'Histogram') histograms.add(m[2]!);
    }
  }
  return { names, histograms };
}

function metricNames(expr: string): string[] {
  const withoutStrings = expr.replace(/"[^"]*"/g, '""');
  return [...withoutStrings.matchAll(/\b(healstream_[a-z0-9_]+|up)\b/g)].map((m) => m[1]!);
}

describe('Prometheus alert rules for healstream', () => {
  it('pass promtool check rules', () => {
    expect(promtool('check', 'rules', join(monitoring, 'healstream-alerts.yaml'))).toMatch(
      /SUCCESS: \d+ rules found/,
    );
  });

  it('pass promtool test rules (each alert fires when it should, and only then)', () => {
    expect(promtool('test', 'rules', join(monitoring, 'healstream-alerts.test.yaml'))).toMatch(
      /SUCCESS/,
    );
  });
});

describe('the Grafana dashboard', () => {
  it('is what deploy/monitoring/dashboard.ts generates (pnpm generate:deploy)', () => {
    expect(readFileSync(join(root, DASHBOARD_FILE), 'utf8')).toBe(renderDashboard());
  });

  it('has panels for lag, throughput, verdicts, healing success, DLQ, aborts and restores', () => {
    const titles = dashboardExprs().map((e) => e.title);
    for (const t of [
      'Pipeline lag',
      'Throughput per stage',
      'Decisions by verdict',
      'Healing success per policy',
      'Dead letters',
      'Transaction aborts',
      'State restore time p99',
    ])
      expect(titles).toContain(t);
  });

  it('uses only valid PromQL (each expression checked by promtool as a recording rule)', () => {
    // Grafana's interval variable, as Grafana would fill it in.
    const rules = dashboardExprs().map((e, i) => ({
      record: `healstream:dashboard_panel_${i}`,
      expr: e.expr.replaceAll('$__rate_interval', '5m'),
    }));
    const file = temp(
      'dashboard-rules.yaml',
      stringify({ groups: [{ name: 'dashboard', rules }] }),
    );
    expect(promtool('check', 'rules', file)).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});

describe('metric names in rules and dashboard', () => {
  it('are all exported by healstream (or Prometheus’ own up)', () => {
    const { names, histograms } = exportedMetrics();
    expect(names).toContain('healstream_consumer_lag'); // the scan finds the runtime's
    expect(names).toContain('healstream_decisions_total'); // and those defined in a main.ts
    const used = [...alertRules(), ...dashboardExprs()].flatMap((r) => metricNames(r.expr));
    const unknown = used.filter((n) => {
      if (n === 'up' || names.has(n)) return false;
      const base = n.replace(/_(bucket|sum|count)$/, '');
      return !histograms.has(base);
    });
    expect(unknown).toEqual([]);
    expect(new Set(used).size).toBeGreaterThan(10);
  });
});

describe("the agent's quantiles", () => {
  // The same bucket values in both: the rate between scrapes is the unit tests' business; here
  // the interpolation itself is compared with Prometheus' own, to the last bit.
  it('equal what Prometheus computes with histogram_quantile over the same buckets', () => {
    const bounds = ['0.1', '0.25', '0.5', '1', '+Inf'];
    const perMinute = [10, 30, 70, 90, 100]; // cumulative bucket increases
    const cases = [0, 0.05, 0.33, 0.5, 0.75, 0.9, 0.99, 1];
    const test = {
      tests: [
        {
          interval: '1m',
          input_series: bounds.map((le, i) => ({
            series: `x_seconds_bucket{le="${le}"}`,
            values: `0+${perMinute[i]}x20`,
          })),
          promql_expr_test: cases.map((q) => ({
            expr: `histogram_quantile(${q}, x_seconds_bucket)`,
            eval_time: '10m',
            exp_samples: [
              {
                labels: '{}',
                value: histogramQuantile(
                  q,
                  bounds.map((le, i) => ({
                    le: Number(le.replace('+Inf', 'Infinity')),
                    count: perMinute[i]!,
                  })),
                ),
              },
            ],
          })),
        },
      ],
    };
    expect(promtool('test', 'rules', temp('quantiles.test.yaml', stringify(test)))).toMatch(
      /SUCCESS/,
    );
  });
});
