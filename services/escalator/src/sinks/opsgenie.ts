import { runbooksOf, type Escalation } from '@healstream/contracts';
import { httpPost } from './http.js';
import type { Sink, SinkSpec } from './types.js';

export const OPSGENIE_URL = 'https://api.opsgenie.com';

const PRIORITY = { CRITICAL: 'P1', WARNING: 'P3', INFO: 'P5' } as const;

/** The create-alert body of Opsgenie's Alert API v2; the alias (the dedup key) ties a close to it. */
export function opsgenieAlert(page: Escalation, team: string | undefined): Record<string, unknown> {
  const description = [
    page.details,
    '',
    'Actions tried:',
    ...(page.actionsTried.length > 0 ? page.actionsTried : ['(none)']),
    '',
    ...page.links,
  ].join('\n');
  return {
    message: page.summary.slice(0, 130),
    alias: page.dedupKey.slice(0, 512),
    description: description.slice(0, 15_000),
    tags: ['healstream', page.source, page.component],
    details: {
      component: page.component,
      source: page.source,
      escalation_id: page.escalationId,
      ...(page.incidentId ? { incident: page.incidentId } : {}),
      ...(runbooksOf(page.links).length > 0 ? { runbook: runbooksOf(page.links).join(' ') } : {}),
      ...(team ? { team } : {}),
    },
    entity: page.component,
    source: 'healstream',
    priority: PRIORITY[page.severity],
  };
}

/**
 * Opsgenie: a page creates an alert (POST /v2/alerts) with alias = dedupKey; a resolution closes
 * it (POST /v2/alerts/{alias}/close?identifierType=alias). `Authorization: GenieKey <key>`, the
 * key of an API integration. Use https://api.eu.opsgenie.com as url for the EU instance.
 */
export function opsgenieSink(spec: SinkSpec): Sink {
  const base = `${(spec.url || OPSGENIE_URL).replace(/\/+$/, '')}/v2/alerts`;
  const headers = { authorization: `GenieKey ${spec.secret ?? ''}` };
  return {
    name: spec.name,
    kind: 'opsgenie',
    async send(page, context) {
      if (page.status === 'RESOLVED') {
        const url = `${base}/${encodeURIComponent(page.dedupKey.slice(0, 512))}/close?identifierType=alias`;
        const body = JSON.stringify({
          source: 'healstream',
          note: `Resolved: ${page.summary}`.slice(0, 25_000),
        });
        await httpPost({ sink: spec.name, url, body, headers, timeoutMs: spec.timeoutMs });
        return;
      }
      await httpPost({
        sink: spec.name,
        url: base,
        body: JSON.stringify(opsgenieAlert(page, context.team)),
        headers,
        timeoutMs: spec.timeoutMs,
      });
    },
  };
}
