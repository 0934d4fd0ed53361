import { loadComponents } from '@healstream/core';
import {
  createKafka,
  createLogger,
  createRegistry,
  loadConfig,
  serviceMain,
} from '@healstream/runtime';
import { consoleEnvSchema } from './config.js';
import { SERVICE, startConsole } from './console.js';

await serviceMain(SERVICE, async () => {
  const config = loadConfig(consoleEnvSchema, process.env);
  const teams = new Map<string, string>();
  if (config.HEALSTREAM_COMPONENTS_FILE !== undefined)
    for (const c of loadComponents(config.HEALSTREAM_COMPONENTS_FILE).components.values())
      if (c.oncall) teams.set(c.id, c.oncall.team);
  const logger = createLogger(SERVICE, config.LOG_LEVEL, config.HEALSTREAM_INSTANCE_ID);
  const registry = createRegistry(SERVICE);
  const kafka = createKafka({
    config,
    clientId: `${SERVICE}-${config.HEALSTREAM_INSTANCE_ID}`,
    logger,
  });
  const running = await startConsole({
    config,
    kafka,
    logger,
    registry,
    teamOf: (component) => teams.get(component) ?? null,
  });
  return { logger, stop: running.stop };
});
