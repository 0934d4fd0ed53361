import { existsSync, readFileSync } from 'node:fs';
import { loadComponents, loadPolicyDir } from '@healstream/core';
import { ConfigError } from '@healstream/contracts';
import { runService, serviceMain, serviceParts } from '@healstream/runtime';
import { escalatorEnvSchema } from './config.js';
import { loadRouting } from './routing.js';
import { SERVICE, escalatorService } from './service.js';

await serviceMain(SERVICE, async () => {
  const { config, logger, registry, kafka } = serviceParts(SERVICE, escalatorEnvSchema);
  const file = config.ESCALATOR_CONFIG;
  if (file !== undefined && !existsSync(file))
    throw new ConfigError(`ESCALATOR_CONFIG names a file that does not exist: ${file}`, {
      variables: ['ESCALATOR_CONFIG'],
    });
  const routing = loadRouting({
    file: file === undefined ? undefined : { text: readFileSync(file, 'utf8'), name: file },
    webhookUrl: config.ESCALATOR_WEBHOOK_URL,
    webhookSecret: config.ESCALATOR_WEBHOOK_SECRET,
    alertmanagerUrl: config.ESCALATOR_ALERTMANAGER_URL,
    timeoutMs: config.ESCALATOR_SINK_TIMEOUT_MS,
    env: process.env,
  });
  const teams = new Map<string, string>();
  const runbooks = { components: new Map<string, string>(), policies: new Map<string, string>() };
  if (config.ESCALATOR_COMPONENTS_FILE !== undefined) {
    for (const c of loadComponents(config.ESCALATOR_COMPONENTS_FILE).components.values()) {
      if (c.oncall) teams.set(c.id, c.oncall.team);
      if (c.runbook) runbooks.components.set(c.id, c.runbook);
    }
  }
  if (config.ESCALATOR_POLICIES_DIR !== undefined)
    for (const p of loadPolicyDir(config.ESCALATOR_POLICIES_DIR))
      if (p.runbook) runbooks.policies.set(p.name, p.runbook);
  const running = await runService(
    escalatorService({ config, routing, teams, runbooks, kafka, logger, registry }),
    { config, logger, registry, kafka },
  );
  return { logger, stop: running.stop };
});
