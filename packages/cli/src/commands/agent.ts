import { loadTargets, runAgentService } from '@healstream/agent';
import { Serde, topicsFor } from '@healstream/contracts';
import {
  createKafka,
  createLogger,
  createRegistry,
  createRegistryClient,
  onShutdownSignal,
} from '@healstream/runtime';
import { CliError, type Command } from '../command.js';
import { ensureTopics, resolveEnv } from '../connection.js';

/** The agent's port unless HTTP_PORT says otherwise: next to the five services' 9401–9405. */
export const AGENT_PORT = 9406;

export const agent: Command = {
  path: ['agent'],
  summary: 'scrape Prometheus endpoints and publish their metrics (rates, p50/p90/p99) to Kafka',
  usage: 'healstream agent --targets FILE',
  options: { targets: { type: 'string' } },
  async run(args, io) {
    const file = args.values['targets'];
    if (typeof file !== 'string') throw new CliError('agent: --targets FILE is required', 2);
    const settings = loadTargets(file);
    const config = await resolveEnv(io);
    await ensureTopics(config);
    const logger = createLogger('agent', config.LOG_LEVEL, config.HEALSTREAM_INSTANCE_ID);
    const port = io.env['HTTP_PORT'] ? config.HTTP_PORT : AGENT_PORT;
    const running = await runAgentService({
      settings,
      kafka: createKafka({
        config,
        clientId: `agent-${config.HEALSTREAM_INSTANCE_ID}`,
        logger,
      }),
      serde: new Serde(createRegistryClient(config), config.SCHEMA_COMPATIBILITY),
      logger,
      registry: createRegistry('agent'),
      topic: topicsFor(config.HEALSTREAM_TOPIC_PREFIX).metrics.topic,
      port,
      host: config.HTTP_HOST,
    });
    io.err(`agent scraping ${settings.targets.length} target(s); /metrics on :${running.port}`);
    await new Promise<void>((resolve) => onShutdownSignal(logger, running.stop, () => resolve()));
    return 0;
  },
};
