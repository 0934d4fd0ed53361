/** One panel of the healstream dashboard: a title, what it shows, and its PromQL. */
interface Panel {
  title: string;
  description: string;
  unit: string;
  targets: { expr: string; legend: string }[];
  stack?: boolean;
}

const rate = (metric: string, by: string, filter = '') =>
  `sum by (${by}) (rate(${metric}${filter ? `{${filter}}` : ''}[$__rate_interval]))`;
const p99 = (metric: string, by: string) =>
  `histogram_quantile(0.99, sum by (le, ${by}) (rate(${metric}_bucket[$__rate_interval])))`;

/** The panels, in reading order: is data flowing, is it deciding, is healing working. */
export const PANELS: Panel[] = [
  {
    title: 'Pipeline lag',
    description:
      'Records each stage still has to read (high watermark − next offset), per input topic.',
    unit: 'short',
    targets: [
      {
        expr: 'sum by (service, topic) (healstream_consumer_lag)',
        legend: '{{service}} ← {{topic}}',
      },
    ],
  },
  {
    title: 'Throughput per stage',
    description: 'Records consumed and produced per second by each stage.',
    unit: 'ops',
    targets: [
      { expr: rate('healstream_records_in_total', 'service'), legend: '{{service}} in' },
      { expr: rate('healstream_records_out_total', 'service'), legend: '{{service}} out' },
    ],
  },
  {
    title: 'Processing latency p99',
    description: 'Time to process and commit one transaction of records.',
    unit: 's',
    targets: [{ expr: p99('healstream_processing_seconds', 'service'), legend: '{{service}}' }],
  },
  {
    title: 'Decisions by verdict',
    description:
      'What the policy-evaluator decided (DISPATCHED, SKIPPED_*, NO_MATCH, SHADOW, ESCALATE, RESOLVED).',
    unit: 'ops',
    stack: true,
    targets: [{ expr: rate('healstream_decisions_total', 'verdict'), legend: '{{verdict}}' }],
  },
  {
    title: 'Healing success per policy',
    description: 'Share of actions that succeeded, per policy.',
    unit: 'percentunit',
    targets: [
      {
        expr: `${rate('healstream_healing_successes_total', 'policy')} / ${rate('healstream_healing_attempts_total', 'policy')}`,
        legend: '{{policy}}',
      },
    ],
  },
  {
    title: 'Verified outcomes',
    description: 'Outcomes by verification: RECOVERED, NOT_RECOVERED, UNKNOWN.',
    unit: 'ops',
    stack: true,
    targets: [
      {
        expr: rate('healstream_healing_verifications_total', 'verification'),
        legend: '{{verification}}',
      },
    ],
  },
  {
    title: 'Dead letters',
    description: 'Records sent to a .dlq topic per second, by stage, topic and error code.',
    unit: 'ops',
    targets: [
      {
        expr: rate('healstream_dead_letters_total', 'service, topic, code'),
        legend: '{{service}} {{topic}} {{code}}',
      },
    ],
  },
  {
    title: 'Transaction aborts',
    description: 'Aborted transactions per second, by stage and reason (retriable, fenced).',
    unit: 'ops',
    targets: [
      {
        expr: rate('healstream_transaction_aborts_total', 'service, reason'),
        legend: '{{service}} {{reason}}',
      },
    ],
  },
  {
    title: 'State restore time p99',
    description: "Time to restore a partition's state from its changelog after an assignment.",
    unit: 's',
    targets: [{ expr: p99('healstream_state_restore_seconds', 'service'), legend: '{{service}}' }],
  },
  {
    title: 'Pages',
    description: 'Pages delivered and failed per sink.',
    unit: 'ops',
    targets: [
      {
        expr: rate('healstream_escalator_pages_delivered_total', 'sink, status'),
        legend: '{{sink}} {{status}}',
      },
      {
        expr: rate('healstream_escalator_pages_failed_total', 'sink, reason'),
        legend: '{{sink}} failed: {{reason}}',
      },
    ],
  },
  {
    title: 'Ingest and agent',
    description: 'remote_write and webhook requests by answer; agent rounds by result.',
    unit: 'ops',
    targets: [
      {
        expr: rate('healstream_ingest_requests_total', 'endpoint, code'),
        legend: '{{endpoint}} {{code}}',
      },
      { expr: rate('healstream_agent_rounds_total', 'result'), legend: 'agent {{result}}' },
    ],
  },
];

/** The Grafana dashboard (schema 39) of PANELS, two per row, on a Prometheus data source variable. */
export function dashboard(): Record<string, unknown> {
  return {
    uid: 'healstream',
    title: 'healstream',
    description: "healstream's own health: is data flowing, is it deciding, is healing working.",
    tags: ['healstream', 'kafka'],
    schemaVersion: 39,
    editable: true,
    refresh: '30s',
    time: { from: 'now-6h', to: 'now' },
    templating: {
      list: [{ name: 'datasource', type: 'datasource', query: 'prometheus', label: 'Prometheus' }],
    },
    panels: PANELS.map((p, i) => ({
      id: i + 1,
      type: 'timeseries',
      title: p.title,
      description: p.description,
      datasource: { type: 'prometheus', uid: '${datasource}' },
      gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
      fieldConfig: {
        defaults: {
          unit: p.unit,
          custom: { stacking: { mode: p.stack ? 'normal' : 'none' } },
        },
        overrides: [],
      },
      targets: p.targets.map((t, j) => ({
        refId: String.fromCharCode(65 + j),
        expr: t.expr,
        legendFormat: t.legend,
      })),
    })),
  };
}
