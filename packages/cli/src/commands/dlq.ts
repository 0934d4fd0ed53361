import { topicsFor } from '@healstream/contracts';
import { redriveDeadLetters, redriveGroupId, RedriveRefusedError } from '@healstream/runtime';
import { CliError, type Command } from '../command.js';
import { cliKafka, resolveEnv } from '../connection.js';
import { decodeMessage, readRecords, resolveTopic, serdeFor } from '../topic-reader.js';

export const dlqList: Command = {
  path: ['dlq', 'list'],
  summary: 'dead-letter topics and how many records each holds',
  usage: 'healstream dlq list [--json]',
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    const config = await resolveEnv(io);
    const kafka = cliKafka(config);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const existing = new Set(await admin.listTopics());
      const rows = [];
      for (const { topic } of topicsFor(config.HEALSTREAM_TOPIC_PREFIX).deadLetters) {
        if (!existing.has(topic)) continue;
        const offsets = await admin.fetchTopicOffsets(topic);
        const records = offsets.reduce((n, p) => n + Number(BigInt(p.high) - BigInt(p.low)), 0);
        rows.push({ topic, records });
      }
      if (args.values['json']) io.out(JSON.stringify(rows));
      else for (const r of rows) io.out(`${String(r.records).padStart(8)}  ${r.topic}`);
      return 0;
    } finally {
      await admin.disconnect();
    }
  },
};

export const dlqShow: Command = {
  path: ['dlq', 'show'],
  summary: 'print dead letters with where they came from and why',
  usage: 'healstream dlq show <dlq-topic> [--max N]',
  options: { max: { type: 'string' } },
  async run(args, io) {
    const name = args.positionals[0];
    if (!name) throw new CliError('dlq show: which dead-letter topic? e.g. metrics.dlq');
    const config = await resolveEnv(io);
    const topic = resolveTopic(
      config.HEALSTREAM_TOPIC_PREFIX,
      name.endsWith('.dlq') ? name : `${name}.dlq`,
    );
    const kafka = cliKafka(config);
    const serde = serdeFor(config);
    await readRecords(kafka, topic, {
      fromBeginning: true,
      max: Number(args.values['max'] ?? 100),
      timeoutMs: 3000,
      onMessage: async (partition, message) =>
        io.out(
          JSON.stringify(await decodeMessage(serde, { kind: 'dlq' }, topic, partition, message)),
        ),
    });
    return 0;
  },
};

export const dlqRedrive: Command = {
  path: ['dlq', 'redrive'],
  summary:
    'send dead letters back to the topic they came from (each once: progress is kept in a consumer group)',
  usage: 'healstream dlq redrive <dlq-topic> [--max N] [--json]',
  options: { max: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const name = args.positionals[0];
    if (!name) throw new CliError('dlq redrive: which dead-letter topic? e.g. metrics.dlq');
    const config = await resolveEnv(io);
    const topic = resolveTopic(
      config.HEALSTREAM_TOPIC_PREFIX,
      name.endsWith('.dlq') ? name : `${name}.dlq`,
    );
    const max = args.values['max'] === undefined ? undefined : Number(args.values['max']);
    if (max !== undefined && !(Number.isInteger(max) && max > 0))
      throw new CliError(
        `dlq redrive: --max must be a positive whole number, got ${String(args.values['max'])}`,
        2,
      );
    let redriven: number;
    try {
      ({ redriven } = await redriveDeadLetters(cliKafka(config), {
        dlqTopic: topic,
        groupId: redriveGroupId(config.HEALSTREAM_TOPIC_PREFIX),
        ...(max === undefined ? {} : { max }),
      }));
    } catch (error) {
      if (error instanceof RedriveRefusedError) throw new CliError(`dlq redrive: ${error.message}`);
      throw error;
    }
    if (args.values['json']) io.out(JSON.stringify({ topic, redriven }));
    else io.out(`redrove ${redriven} records from ${topic}`);
    return 0;
  },
};
