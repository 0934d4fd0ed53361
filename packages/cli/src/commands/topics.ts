import { topicCatalogue } from '@healstream/contracts';
import { createKafka, createLogger, createTopics } from '@healstream/runtime';
import type { Command } from '../command.js';
import { resolveEnv } from '../connection.js';

export const topicsCreate: Command = {
  path: ['topics', 'create'],
  summary: 'create every topic with its partitions and cleanup policy (idempotent)',
  usage: 'healstream topics create [--json]',
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    const config = await resolveEnv(io);
    const kafka = createKafka({
      brokers: config.KAFKA_BROKERS,
      clientId: 'healstream-cli',
      logger: createLogger('cli', 'warn'),
    });
    const admin = kafka.admin();
    await admin.connect();
    try {
      const specs = topicCatalogue(config.HEALSTREAM_TOPIC_PREFIX, config.HEALSTREAM_PARTITIONS);
      const report = await createTopics(admin, specs);
      if (args.values['json']) io.out(JSON.stringify({ ...report, topics: specs }));
      else {
        for (const spec of specs) {
          const state = report.created.includes(spec.name) ? 'created' : 'exists';
          io.out(
            `${state.padEnd(8)} ${spec.name.padEnd(48)} ${String(spec.partitions).padStart(3)} partitions  ${spec.cleanupPolicy}`,
          );
        }
        io.out(`${report.created.length} created, ${report.existing.length} already there`);
      }
      return 0;
    } finally {
      await admin.disconnect();
    }
  },
};
