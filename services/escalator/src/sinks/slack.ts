import { RUNBOOK_LINK_PREFIX, runbooksOf, type Escalation } from '@healstream/contracts';
import { httpPost } from './http.js';
import type { Sink, SinkSpec } from './types.js';

const EMOJI = {
  CRITICAL: ':rotating_light:',
  WARNING: ':warning:',
  INFO: ':information_source:',
} as const;
/** Slack's limit on a section's text. */
const clip = (text: string, max = 3000) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/**
 * A Slack incoming-webhook message: `text` (shown in notifications, and by clients without
 * blocks) and Block Kit blocks with the context a person needs. A resolution posts its own
 * message (an incoming webhook cannot edit the first one).
 */
export function slackMessage(page: Escalation, team: string | undefined): Record<string, unknown> {
  if (page.status === 'RESOLVED') {
    const text = `:white_check_mark: Resolved: ${page.component}: ${page.summary}`;
    return {
      text,
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: clip(text) } },
        {
          type: 'context',
          elements: [
            {
              type: 'mrkdwn',
              text: clip(
                `dedup key \`${page.dedupKey}\`${page.incidentId ? ` · incident \`${page.incidentId}\`` : ''}`,
              ),
            },
          ],
        },
      ],
    };
  }
  const text = `${EMOJI[page.severity]} [${page.severity}] ${page.component}: ${page.summary}`;
  const fields = [
    `*Component*\n${page.component}`,
    `*Severity*\n${page.severity}`,
    `*Source*\n${page.source}`,
    ...(page.incidentId ? [`*Incident*\n${page.incidentId}`] : []),
    ...(team ? [`*Team*\n${team}`] : []),
  ];
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: clip(text) } },
    { type: 'section', fields: fields.map((f) => ({ type: 'mrkdwn', text: f })) },
  ];
  if (page.details)
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(page.details) } });
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: clip(
        `*Actions tried*\n${page.actionsTried.length > 0 ? page.actionsTried.map((a) => `• ${a}`).join('\n') : '(none)'}`,
      ),
    },
  });
  if (page.links.length > 0)
    blocks.push({
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          // A runbook is a link Slack renders as one: <url|Runbook>.
          text: clip(
            page.links
              .map((l) =>
                l.startsWith(RUNBOOK_LINK_PREFIX) ? `<${runbooksOf([l])[0]}|Runbook>` : l,
              )
              .join('\n'),
          ),
        },
      ],
    });
  return { text, blocks };
}

/** POSTs to the incoming webhook URL (a secret: give it through url_env). Slack answers 200 `ok`. */
export function slackSink(spec: SinkSpec): Sink {
  return {
    name: spec.name,
    kind: 'slack',
    async send(page, context) {
      await httpPost({
        sink: spec.name,
        url: spec.url,
        body: JSON.stringify(slackMessage(page, context.team)),
        headers: {},
        timeoutMs: spec.timeoutMs,
      });
    },
  };
}
