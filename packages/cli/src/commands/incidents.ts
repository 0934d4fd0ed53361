import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { deleteThrowawayGroup } from '@healstream/runtime';
import { IncidentStore, incidentText, readIntoStore, summaryLine } from '@healstream/incidents';
import { CliError, type Command, type CommandIo } from '../command.js';
import { cliKafka, resolveEnv } from '../connection.js';
import { serdeFor } from '../topic-reader.js';

/**
 * The incidents as the console sees them: the topics read from the beginning into a store in
 * memory (the topics are the truth; a running console's store holds the same), then asked.
 */
async function withIncidents<T>(io: CommandIo, ask: (store: IncidentStore) => T): Promise<T> {
  const config = await resolveEnv(io);
  const kafka: Kafka = cliKafka(config);
  const store = IncidentStore.open({ path: ':memory:' });
  const groupId = `healstream-cli-incidents-${randomUUID()}`;
  const feed = await readIntoStore(kafka, serdeFor(config), store, {
    prefix: config.HEALSTREAM_TOPIC_PREFIX,
    groupId,
  });
  try {
    await feed.untilCaughtUp(120_000);
    return ask(store);
  } finally {
    await feed.stop();
    await deleteThrowawayGroup(kafka, groupId);
    store.close();
  }
}

export const incidents: Command = {
  path: ['incidents'],
  summary: 'incidents from the topics: open and of the last 24 hours, open first',
  usage: 'healstream incidents [--open] [--json]',
  options: { open: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(args, io) {
    const open = args.values['open'] === true;
    const rows = await withIncidents(io, (store) =>
      store.incidents(open ? { open: true } : { since: Date.now() - 24 * 3600_000 }),
    );
    if (args.values['json']) io.out(JSON.stringify(rows));
    else if (rows.length === 0)
      io.out(open ? 'no open incidents' : 'no incidents in the last 24 hours');
    else {
      io.out(
        [
          'status  ',
          'incident',
          'component',
          'team',
          'cause',
          'verdict',
          'policy',
          'verification',
        ].join('  '),
      );
      for (const r of rows) io.out(summaryLine(r));
    }
    return 0;
  },
};

export const incidentShow: Command = {
  path: ['incident', 'show'],
  summary:
    "one incident's timeline: detected, diagnosed, decided, command, results, verification, pages",
  usage: 'healstream incident show <incident-id> [--json]',
  options: { json: { type: 'boolean' } },
  async run(args, io) {
    const id = args.positionals[0];
    if (!id)
      throw new CliError('incident show: which incident? (healstream incidents lists them)', 2);
    const view = await withIncidents(io, (store) => store.incident(id));
    if (!view) throw new CliError(`incident show: no incident ${id} in the topics`);
    if (args.values['json']) io.out(JSON.stringify(view));
    else for (const line of incidentText(view)) io.out(line);
    return 0;
  },
};
