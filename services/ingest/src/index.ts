/**
 * The ingest service: Prometheus remote_write and Alertmanager's webhook into healstream's
 * topics. `main.ts` wires it; its settings are the one part others read (the compose file's
 * test checks its environment against them).
 */
export { ingestEnvSchema } from './config.js';
