import type { ScenarioResult } from './runner.js';

const secs = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

/** The final table, one row per scenario, as plain aligned text. */
export function resultTable(results: ScenarioResult[]): string {
  const header = [
    'scenario',
    'detected after',
    'diagnosed as',
    'action',
    'recovered after (MTTR)',
    'page sent',
    'result',
  ];
  const rows = results.map((r) => [
    r.scenario,
    secs(r.detectedAfterMs),
    r.diagnosedAs
      ? `${r.diagnosedAs}${r.confidence === null ? '' : ` (${r.confidence.toFixed(2)})`}`
      : '—',
    r.actions.length > 0 ? r.actions.join(', ') : '—',
    secs(r.recoveredAfterMs),
    r.pageSent ?? 'no',
    r.ok ? 'ok' : `FAILED: ${r.note}`,
  ]);
  const widths = header.map((h, i) =>
    Math.max(h.length, ...rows.map((row) => (row[i] as string).length)),
  );
  const render = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join('  ')
      .trimEnd();
  return [
    render(header),
    render(widths.map((w) => '─'.repeat(w))),
    ...rows.map(render),
    '',
    'times from the moment the fault was injected (for bad-deploy: the defective deploy was asked for); MTTR ends at the RECOVERED outcome',
  ].join('\n');
}

export interface DemoReport {
  ok: boolean;
  prefix: string;
  totalSeconds: number;
  short: boolean;
  alertmanager: boolean;
  /** The run's incident console and how many incidents it held at the end. */
  console: { url: string; incidents: number | null } | null;
  scenarios: ScenarioResult[];
}
