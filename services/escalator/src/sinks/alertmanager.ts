import { runbooksOf, type Escalation } from '@healstream/contracts';
import { httpPost } from './http.js';
import type { Sink, SinkSpec } from './types.js';

export const ALERTNAME = 'HealstreamEscalation';

/** The labels identify the alert: a page and its resolution must produce the same set. */
export function alertLabels(page: Escalation, team: string | undefined): Record<string, string> {
  return {
    alertname: ALERTNAME,
    component: page.component,
    severity: page.severity.toLowerCase(),
    source: page.source,
    dedup: page.dedupKey,
    ...(page.incidentId ? { incident: page.incidentId } : {}),
    ...(team ? { team } : {}),
  };
}

/**
 * One Alertmanager v2 alert. A page stays active until `ttlMs` from delivery (Alertmanager would
 * otherwise resolve it after its resolve_timeout); a resolution sends endsAt = the recovery time.
 */
export function alertFor(
  page: Escalation,
  team: string | undefined,
  ttlMs: number,
  now: number,
): Record<string, unknown> {
  const resolved = page.status === 'RESOLVED';
  const http = page.links.find((l) => /^https?:\/\//.test(l));
  const runbook = runbooksOf(page.links)[0];
  return {
    labels: alertLabels(page, team),
    annotations: {
      summary: page.summary,
      description: page.details,
      actions_tried: page.actionsTried.length > 0 ? page.actionsTried.join('\n') : '(none)',
      links: page.links.join('\n'),
      escalation_id: page.escalationId,
      // The annotation Alertmanager's templates and Grafana show as the alert's runbook.
      ...(runbook ? { runbook_url: runbook } : {}),
    },
    startsAt: new Date(page.createdAt).toISOString(),
    endsAt: new Date(
      resolved ? page.createdAt : Math.max(now, page.createdAt) + ttlMs,
    ).toISOString(),
    ...(http ? { generatorURL: http } : {}),
  };
}

export function alertmanagerSink(
  spec: SinkSpec,
  ttlMs: number,
  now: () => number = Date.now,
): Sink {
  const url = `${spec.url.replace(/\/+$/, '')}/api/v2/alerts`;
  return {
    name: spec.name,
    kind: 'alertmanager',
    async send(page, context) {
      const body = JSON.stringify([alertFor(page, context.team, ttlMs, now())]);
      await httpPost({ sink: spec.name, url, body, headers: {}, timeoutMs: spec.timeoutMs });
    },
  };
}
