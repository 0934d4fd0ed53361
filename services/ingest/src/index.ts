/**
 * The ingest service: Prometheus remote_write and Alertmanager's webhook into healstream's
 * topics. `main.ts` wires it; these are its parts, for tests.
 */
export { decodeWriteRequest, type TimeSeries, type WriteRequest } from './remote-write.js';
export { seriesPoints } from './series-points.js';
export { alertEvent, webhookEvents, webhookSchema, type WebhookAlert } from './alert-events.js';
export { ingestHandlers, type IngestDeps, type IngestHandlers, type Answer } from './ingest.js';
export { ingestRoutes, ROUTES } from './http.js';
export { ingestEnvSchema, type IngestEnv } from './config.js';
export { ingestMetrics, type IngestMetrics } from './metrics.js';
export { TransactionalPublisher, type TopicMessages } from './publisher.js';
export { BadRequestError } from './bad-request.js';
