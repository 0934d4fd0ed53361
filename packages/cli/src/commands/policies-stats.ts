import { topicsFor } from '@healstream/contracts';
import type { Command } from '../command.js';
import { cliKafka, resolveEnv } from '../connection.js';
import { readRecords } from '../topic-reader.js';
import { statsRows, statsTable, type StatsRecord } from './policies-stats-format.js';

export const policiesStats: Command = {
  path: ['policies', 'stats'],
  summary:
    'success rate per policy × cause × component, and which policies are demoted to shadow (reads the policy-effectiveness topic)',
  usage: 'healstream policies stats [--component NAME] [--json] [--timeout S]',
  options: {
    component: { type: 'string' },
    json: { type: 'boolean' },
    timeout: { type: 'string' },
  },
  async run(args, io) {
    const config = await resolveEnv(io);
    const latest = new Map<string, StatsRecord>();
    await readRecords(
      cliKafka(config),
      topicsFor(config.HEALSTREAM_TOPIC_PREFIX).policyEffectiveness.topic,
      {
        fromBeginning: true,
        max: Number.POSITIVE_INFINITY,
        timeoutMs: Number(args.values['timeout'] ?? 3) * 1000,
        onMessage: (_partition, message) => {
          const key = message.key?.toString();
          if (!key) return Promise.resolve();
          if (message.value === null) latest.delete(key);
          else {
            const record = JSON.parse(message.value.toString()) as StatsRecord;
            const seen = latest.get(key);
            if (!seen || seen.updatedAt <= record.updatedAt) latest.set(key, record);
          }
          return Promise.resolve();
        },
      },
    );
    const only = args.values['component'];
    const rows = statsRows(latest.values()).filter(
      (r) => typeof only !== 'string' || r.component === only,
    );
    io.out(args.values['json'] ? JSON.stringify(rows) : statsTable(rows));
    return 0;
  },
};
