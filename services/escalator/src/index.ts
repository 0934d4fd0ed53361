/**
 * The escalator: pages a person when automation cannot fix it, through Alertmanager, PagerDuty,
 * Opsgenie, Slack and webhooks, and records every page in `escalations`.
 *
 *   const routing = loadRouting({ alertmanagerUrl: 'http://127.0.0.1:9093', timeoutMs: 5000, env: {} });
 *   const running = await runService(escalatorService({ config, routing, kafka, logger, registry }), deps);
 */
export {
  escalatorEnvSchema,
  settingsFrom,
  type EscalatorEnv,
  type EscalatorSettings,
} from './config.js';
export { escalate, type EscalatorInput, type EscalateResult } from './escalate.js';
export { deliver, DeliveryMemo, type DeliveryReport } from './deliver.js';
export { partitionHandler, toInput, type HandlerDeps } from './handler.js';
export { escalatorMetrics, type EscalatorMetrics } from './metrics.js';
export { incidentDedupKey, describeOutcome, linksFor } from './page.js';
export { loadRouting, routeFor, type Routing, type RouteMatch } from './routing.js';
export {
  SERVICE,
  buildSinks,
  escalatorInputs,
  escalatorService,
  type EscalatorServiceOptions,
} from './service.js';
export { alertFor, alertLabels, alertmanagerSink, ALERTNAME } from './sinks/alertmanager.js';
export { SinkRejectedError, httpPost } from './sinks/http.js';
export { webhookSink } from './sinks/webhook.js';
export { opsgenieAlert, opsgenieSink, OPSGENIE_URL } from './sinks/opsgenie.js';
export { pagerDutyEvent, pagerDutySink, PAGERDUTY_URL } from './sinks/pagerduty.js';
export { slackMessage, slackSink } from './sinks/slack.js';
export { SINK_KINDS, type Sink, type SinkKind, type SinkSpec } from './sinks/types.js';
export { prune, type Entry, type IncidentNotes, type OpenPage } from './state.js';
