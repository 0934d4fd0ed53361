import type { IncidentChart } from '@healstream/incidents';
import { esc } from './html.js';

const W = 760;
const H = 240;
const PAD = { left: 56, right: 16, top: 16, bottom: 40 };

const fmt = (v: number) =>
  Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString();
const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/**
 * The triggering metrics on one time axis: each a line of its readings, the threshold dashed,
 * anomalous readings marked, and a vertical mark at each command and outcome.
 */
export function chartSvg(chart: IncidentChart): string {
  if (chart.series.length === 0) return '<p>No metric readings for this incident.</p>';
  const times = [
    ...chart.series.flatMap((s) => s.points.map((p) => p.at)),
    ...chart.actions.map((a) => a.at),
  ];
  const t0 = Math.min(...times);
  const t1 = Math.max(...times, t0 + 1);
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  return chart.series
    .map((s) => {
      const values = [
        ...s.points.map((p) => p.value),
        ...(s.threshold === null ? [] : [s.threshold]),
      ];
      const top = Math.max(...values, 0) * 1.1 || 1;
      const y = (v: number) => PAD.top + (1 - v / top) * (H - PAD.top - PAD.bottom);
      const anomalous = new Set(s.anomalies.map((a) => a.at));
      const line = s.points.map((p) => `${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`).join(' ');
      const points = s.points
        .map(
          (p) =>
            `<circle class="point${anomalous.has(p.at) ? ' anomaly' : ''}" cx="${x(p.at).toFixed(1)}" cy="${y(p.value).toFixed(1)}" r="${anomalous.has(p.at) ? 5 : 3.5}" data-at="${p.at}" data-value="${p.value}"><title>${esc(`${s.metric} ${fmt(p.value)} at ${clock(p.at)}${anomalous.has(p.at) ? ' (anomalous)' : ''}`)}</title></circle>`,
        )
        .join('');
      const threshold =
        s.threshold === null
          ? ''
          : `<line class="threshold" x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(s.threshold).toFixed(1)}" y2="${y(s.threshold).toFixed(1)}"/><text class="threshold-label" x="${W - PAD.right}" y="${(y(s.threshold) - 4).toFixed(1)}" text-anchor="end">threshold ${fmt(s.threshold)}</text>`;
      const actions = chart.actions
        .map(
          (a, i) =>
            `<g class="action-mark"><line class="action" x1="${x(a.at).toFixed(1)}" x2="${x(a.at).toFixed(1)}" y1="${PAD.top}" y2="${H - PAD.bottom}"/>${
              // Labels in the right half read leftwards, so none runs off the chart.
              x(a.at) > W / 2
                ? `<text x="${(x(a.at) - 3).toFixed(1)}" y="${PAD.top + 12 + (i % 3) * 12}" text-anchor="end">`
                : `<text x="${(x(a.at) + 3).toFixed(1)}" y="${PAD.top + 12 + (i % 3) * 12}">`
            }${esc(a.label)}</text><title>${esc(`${a.label} at ${clock(a.at)}`)}</title></g>`,
        )
        .join('');
      const axis = `<line class="axis" x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}"/><line class="axis" x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}"/><text x="${PAD.left - 6}" y="${PAD.top + 4}" text-anchor="end">${fmt(top)}</text><text x="${PAD.left - 6}" y="${H - PAD.bottom}" text-anchor="end">0</text><text x="${PAD.left}" y="${H - PAD.bottom + 16}">${clock(t0)}</text><text x="${W - PAD.right}" y="${H - PAD.bottom + 16}" text-anchor="end">${clock(t1)}</text><text x="${(W / 2).toFixed(0)}" y="${H - 6}" text-anchor="middle">time (UTC)</text>`;
      const label = `${s.metric}: ${s.points.length} readings, ${s.anomalies.length} anomalous${s.threshold === null ? '' : `, threshold ${fmt(s.threshold)}`}, ${chart.actions.length} action marks`;
      return `<figure class="chart"><figcaption>${esc(s.metric)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(label)}" data-metric="${esc(s.metric)}">${axis}${threshold}<polyline class="series" points="${line}"/>${points}${actions}</svg></figure>`;
    })
    .join('');
}
