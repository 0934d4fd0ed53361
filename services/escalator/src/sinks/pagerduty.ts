import { runbooksOf, type Escalation } from '@healstream/contracts';
import { httpPost } from './http.js';
import type { Sink, SinkSpec } from './types.js';

export const PAGERDUTY_URL = 'https://events.pagerduty.com';

const SEVERITY = { CRITICAL: 'critical', WARNING: 'warning', INFO: 'info' } as const;

/**
 * A PagerDuty Events API v2 event: a trigger carries the page (summary, severity, component,
 * custom details, the decision trail as links); a resolve names only the dedup key. Both use
 * the page's dedupKey, so PagerDuty groups the triggers of one incident and resolves them at once.
 */
export function pagerDutyEvent(
  page: Escalation,
  routingKey: string,
  team: string | undefined,
): Record<string, unknown> {
  if (page.status === 'RESOLVED')
    return { routing_key: routingKey, event_action: 'resolve', dedup_key: page.dedupKey };
  const links = [
    ...runbooksOf(page.links).map((href) => ({ href, text: 'runbook' })),
    ...page.links
      .filter((l) => /^https?:\/\//.test(l))
      .map((href) => ({ href, text: 'healstream decision trail' })),
  ];
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: page.dedupKey,
    payload: {
      summary: page.summary.slice(0, 1024),
      source: page.component,
      severity: SEVERITY[page.severity],
      timestamp: new Date(page.createdAt).toISOString(),
      component: page.component,
      class: page.source,
      ...(team ? { group: team } : {}),
      custom_details: {
        details: page.details,
        actions_tried: page.actionsTried,
        incident: page.incidentId,
        escalation_id: page.escalationId,
        links: page.links,
      },
    },
    ...(links.length > 0 ? { links } : {}),
    client: 'healstream',
  };
}

/** POST {url}/v2/enqueue; the routing key is the integration key of a PagerDuty service. */
export function pagerDutySink(spec: SinkSpec): Sink {
  const url = `${(spec.url || PAGERDUTY_URL).replace(/\/+$/, '')}/v2/enqueue`;
  const routingKey = spec.secret ?? '';
  return {
    name: spec.name,
    kind: 'pagerduty',
    async send(page, context) {
      const body = JSON.stringify(pagerDutyEvent(page, routingKey, context.team));
      await httpPost({ sink: spec.name, url, body, headers: {}, timeoutMs: spec.timeoutMs });
    },
  };
}
