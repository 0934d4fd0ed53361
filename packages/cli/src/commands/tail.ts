import { CliError, type Command } from '../command.js';
import { cliKafka, resolveEnv } from '../connection.js';
import { decodeMessage, readRecords, resolveTopic, serdeFor, topicKind } from '../topic-reader.js';

export const tail: Command = {
  path: ['tail'],
  summary: 'print a topic’s records decoded, as JSON lines',
  usage: 'healstream tail <topic> [--from-beginning] [--max N] [--timeout S] [--max-seconds S]',
  options: {
    'from-beginning': { type: 'boolean' },
    max: { type: 'string' },
    timeout: { type: 'string' },
    'max-seconds': { type: 'string' },
  },
  async run(args, io) {
    const name = args.positionals[0];
    if (!name) throw new CliError('tail: which topic? e.g. healstream tail healing-outcomes');
    const max =
      args.values['max'] === undefined ? Number.POSITIVE_INFINITY : Number(args.values['max']);
    const timeout =
      args.values['timeout'] === undefined
        ? Number.POSITIVE_INFINITY
        : Number(args.values['timeout']);
    if (!(max > 0)) throw new CliError('tail: --max takes a positive number');
    if (!(timeout > 0)) throw new CliError('tail: --timeout takes a positive number of seconds');
    const maxSeconds =
      args.values['max-seconds'] === undefined
        ? Number.POSITIVE_INFINITY
        : Number(args.values['max-seconds']);
    if (!(maxSeconds > 0))
      throw new CliError('tail: --max-seconds takes a positive number of seconds');
    const config = await resolveEnv(io);
    const topic = resolveTopic(config.HEALSTREAM_TOPIC_PREFIX, name);
    const kafka = cliKafka(config);
    const admin = kafka.admin();
    await admin.connect();
    const exists = (await admin.listTopics()).includes(topic);
    await admin.disconnect();
    if (!exists) throw new CliError(`tail: no topic ${topic} (run 'healstream topics create')`);
    const kind = topicKind(config.HEALSTREAM_TOPIC_PREFIX, topic);
    const serde = serdeFor(config);
    await readRecords(kafka, topic, {
      fromBeginning: args.values['from-beginning'] === true,
      max,
      timeoutMs: timeout * 1000,
      maxMs: maxSeconds * 1000,
      onMessage: async (partition, message) =>
        io.out(JSON.stringify(await decodeMessage(serde, kind, topic, partition, message))),
    });
    return 0;
  },
};
