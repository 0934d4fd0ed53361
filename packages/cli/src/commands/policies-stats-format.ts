/** One row of the policy-effectiveness topic's per-component table, as the evaluator writes it. */
export interface StatsRow {
  component: string;
  policy: string;
  cause: string;
  attempts: number;
  successes: number;
  pending: number;
  rate: number | null;
  demoted: boolean;
}

/** The latest record per component (the topic is compacted, but a read may see older ones first). */
export interface StatsRecord {
  component: string;
  updatedAt: number;
  rows: StatsRow[];
}

/** Every component's rows, sorted by policy, cause, component. */
export function statsRows(records: Iterable<StatsRecord>): StatsRow[] {
  const rows = [...records].flatMap((r) => r.rows);
  const key = (r: StatsRow) => `${r.policy}\u0000${r.cause}\u0000${r.component}`;
  return rows.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Plain aligned text: policy, cause, component, success rate, and whether it acts in shadow. */
export function statsTable(rows: readonly StatsRow[]): string {
  if (rows.length === 0) return 'no healing attempts recorded yet';
  const header = ['policy', 'cause', 'component', 'success', 'attempts', 'pending', 'mode'];
  const cells = rows.map((r) => [
    r.policy,
    r.cause || '(no cause)',
    r.component,
    r.rate === null ? '—' : `${Math.round(r.rate * 100)}%`,
    `${r.successes}/${r.attempts}`,
    String(r.pending),
    r.demoted ? 'shadow (demoted)' : 'enforce',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const render = (line: string[]) =>
    line
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [render(header), render(widths.map((w) => '─'.repeat(w))), ...cells.map(render)].join(
    '\n',
  );
}
