import type { Command } from '../command.js';
import { ensureTopics, resolveEnv } from '../connection.js';

export const topicsCreate: Command = {
  path: ['topics', 'create'],
  summary: 'create every topic with its partitions and cleanup policy (idempotent)',
  usage: 'healstream topics create [--json]',
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    const config = await resolveEnv(io);
    const { specs, ...report } = await ensureTopics(config);
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
  },
};
