/**
 * The escalator: pages a person when automation cannot fix it, through Alertmanager, PagerDuty,
 * Opsgenie, Slack and webhooks, and records every page in `escalations`.
 *
 * It runs as its own process (src/main.ts, over escalatorService in service.ts) and no other
 * package imports it, so this door opens on nothing; export here what another package needs.
 */
export { escalatorInputs } from './service.js';
export { escalatorEnvSchema } from './config.js';
