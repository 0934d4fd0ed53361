import { loadComponents } from '@healstream/core';
import { serviceMain, serviceParts } from '@healstream/runtime';
import { consoleEnvSchema } from './config.js';
import { SERVICE, startConsole } from './console.js';

await serviceMain(SERVICE, async () => {
  const { config, logger, registry, kafka } = serviceParts(SERVICE, consoleEnvSchema);
  const teams = new Map<string, string>();
  if (config.HEALSTREAM_COMPONENTS_FILE !== undefined)
    for (const c of loadComponents(config.HEALSTREAM_COMPONENTS_FILE).components.values())
      if (c.oncall) teams.set(c.id, c.oncall.team);
  const running = await startConsole({
    config,
    kafka,
    logger,
    registry,
    teamOf: (component) => teams.get(component) ?? null,
  });
  return { logger, stop: running.stop };
});
