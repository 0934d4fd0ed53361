import type { Point } from '@healstream/agent';
import type { WriteRequest } from './remote-write.js';

/**
 * The samples of a remote_write request as points of components: a series belongs to the
 * component named by the first of `componentLabels` it carries (that label is dropped from its
 * labels, as are Prometheus' internal `__…` ones). Series with none of them are not published;
 * their count is returned.
 */
export function seriesPoints(
  request: WriteRequest,
  componentLabels: readonly string[],
): { points: Point[]; withoutComponent: number } {
  const points: Point[] = [];
  let withoutComponent = 0;
  for (const series of request.timeseries) {
    const label = componentLabels.find((l) => series.labels[l]);
    if (label === undefined) {
      withoutComponent++;
      continue;
    }
    const component = series.labels[label] as string;
    const name = series.labels['__name__'] as string;
    const labels: Record<string, string> = {};
    for (const [k, v] of Object.entries(series.labels))
      if (k !== label && !k.startsWith('__')) labels[k] = v;
    for (const s of series.samples)
      points.push({ component, name, labels, value: s.value, timestamp: s.timestamp });
  }
  return { points, withoutComponent };
}
