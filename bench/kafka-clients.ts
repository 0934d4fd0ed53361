/**
 * kafkajs against @platformatic/kafka on the same broker, the same topic and in the same run:
 *
 *   bash scripts/toolchain.sh pnpm bench:clients [--records 200000] [--repeat 3]
 *
 * `records` JSON metric samples (about 120 B each) are written once to a fresh 12-partition
 * topic. Then, `repeat` times and alternating the cases within each round, every case reads the
 * whole topic with a fresh consumer group, timed from its first record received to its last
 * record done; the report gives the median per case and its ratio to kafkajs eachMessage:
 *
 * - raw consume: kafkajs eachMessage, kafkajs eachBatch, @platformatic/kafka's message stream;
 * - consume → transform → produce with the input offsets in a transaction (read committed, one
 *   transaction per fetched partition batch): kafkajs with one transactional producer per
 *   partition number (as the runtime's transactional loop does), @platformatic/kafka with one
 *   transactional producer per instance (offsets fenced by the group generation), per partition
 *   batch as kafkajs does and, since one producer may span partitions, one transaction per fetch.
 *
 * The report is printed and written to .healstream/bench/kafka-clients.json. Uses KAFKA_BROKERS
 * when set, else the embedded local broker (started if needed).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Kafka, logLevel, Partitioners } from 'kafkajs';
import { infraSettings, up } from '@healstream/infra';
import { createTopics, quietKafkajsTimerWarnings } from '@healstream/runtime';
import { sampleRecord, type CaseResult, type CaseTarget } from './kafka-clients/shape.js';
import {
  kafkajsEachBatch,
  kafkajsEachMessage,
  kafkajsTransactional,
} from './kafka-clients/kafkajs-cases.js';
import {
  platformaticStream,
  platformaticTransactional,
} from './kafka-clients/platformatic-cases.js';

const { values } = parseArgs({
  options: {
    records: { type: 'string', default: '200000' },
    repeat: { type: 'string', default: '3' },
  },
});
const RECORDS = Number(values.records);
const REPEAT = Number(values.repeat);
const PARTITIONS = 12;
for (const [name, n] of [
  ['--records', RECORDS],
  ['--repeat', REPEAT],
] as const)
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`bench:clients: ${name} must be a positive integer`);
/** A case that has not read every record by then is stuck, not slow. */
const CASE_TIMEOUT_MS = 10 * 60_000;

quietKafkajsTimerWarnings();
const brokers = (process.env['KAFKA_BROKERS'] ?? (await up(infraSettings())).brokers).split(',');
const kafka = new Kafka({ clientId: 'bench-clients', brokers, logLevel: logLevel.NOTHING });
const run = randomBytes(3).toString('hex');
const input = `bench.clients.${run}.input`;
const outputs: string[] = [];
const admin = kafka.admin();
await admin.connect();

async function freshTopic(name: string): Promise<string> {
  await createTopics(admin, [{ name, partitions: PARTITIONS, cleanupPolicy: 'delete' }]);
  return name;
}

async function preload(): Promise<void> {
  await freshTopic(input);
  // Idempotent, so a retried send cannot write a record twice: every case reads exactly RECORDS.
  const producer = kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const t0 = Date.now() - RECORDS;
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < RECORDS; i += 2000) {
    const messages = [];
    for (let j = i; j < Math.min(RECORDS, i + 2000); j++) messages.push(sampleRecord(j, t0 + j));
    inFlight.push(producer.send({ topic: input, acks: -1, messages }));
    if (inFlight.length >= 4) await Promise.all(inFlight.splice(0));
  }
  await Promise.all(inFlight);
  await producer.disconnect();
  const written = (await admin.fetchTopicOffsets(input)).reduce((n, p) => n + Number(p.high), 0);
  if (written !== RECORDS)
    throw new Error(
      `bench:clients: ${input} holds ${written} records after preload, not ${RECORDS}`,
    );
}

type Case = (target: CaseTarget) => Promise<CaseResult>;
const CASES: Record<string, { kind: 'raw' | 'transactional'; run: Case }> = {
  'kafkajs eachMessage': { kind: 'raw', run: kafkajsEachMessage },
  'kafkajs eachBatch': { kind: 'raw', run: kafkajsEachBatch },
  '@platformatic/kafka stream': { kind: 'raw', run: platformaticStream },
  'kafkajs transactional (producer per partition)': {
    kind: 'transactional',
    run: (target) => kafkajsTransactional(target, PARTITIONS),
  },
  '@platformatic/kafka transactional (producer per instance)': {
    kind: 'transactional',
    run: (target) => platformaticTransactional(target, 'partition'),
  },
  '@platformatic/kafka transactional, one per fetch (all partitions)': {
    kind: 'transactional',
    run: (target) => platformaticTransactional(target, 'fetch'),
  },
};
const BASELINE = 'kafkajs eachMessage';

async function timed(name: string, target: CaseTarget): Promise<CaseResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`bench:clients: case "${name}" did not finish in 10 min`)),
      CASE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([(CASES[name] as { run: Case }).run(target), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A transactional case must have committed, in its transactions, the offset of every record. */
async function expectCommitted(name: string, group: string): Promise<void> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [input] });
  const committed = (offsets?.partitions ?? []).reduce(
    (n, p) => n + Math.max(0, Number(p.offset)),
    0,
  );
  if (committed !== RECORDS)
    throw new Error(
      `bench:clients: case "${name}" committed offsets for ${committed} of ${RECORDS} records`,
    );
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

await preload();
const rates = new Map<string, number[]>(Object.keys(CASES).map((name) => [name, []]));
for (let round = 0; round < REPEAT; round++) {
  // Alternate: each round starts one case later, so no case always runs first or last.
  const names = Object.keys(CASES);
  const order = names.map((_, i) => names[(i + round) % names.length] as string);
  for (const name of order) {
    const group = `bench-clients-${run}-${round}-${randomBytes(2).toString('hex')}`;
    const output =
      CASES[name]?.kind === 'transactional'
        ? await freshTopic(`bench.clients.${run}.out.${group}`)
        : '';
    if (output) outputs.push(output);
    const result = await timed(name, { brokers, input, records: RECORDS, output, group });
    if (result.records < RECORDS)
      throw new Error(`bench:clients: case "${name}" read ${result.records} of ${RECORDS}`);
    if (output) await expectCommitted(name, group);
    const rate = RECORDS / result.seconds;
    rates.get(name)?.push(rate);
    console.log(`round ${round + 1}: ${name}: ${Math.round(rate)} records/s`);
  }
}
await admin.deleteTopics({ topics: [input, ...outputs] }).catch(() => {});
await admin.disconnect();

const baseline = median(rates.get(BASELINE) as number[]);
const report = {
  machine: `${cpus().length} cores`,
  records: RECORDS,
  partitions: PARTITIONS,
  repeat: REPEAT,
  baseline: BASELINE,
  cases: Object.fromEntries(
    [...rates].map(([name, runs]) => [
      name,
      {
        kind: CASES[name]?.kind,
        recordsPerSecond: Math.round(median(runs)),
        ratioToBaseline: Number((median(runs) / baseline).toFixed(3)),
        runs: runs.map(Math.round),
      },
    ]),
  ),
};
const json = JSON.stringify(report, null, 2);
console.log(json);
mkdirSync('.healstream/bench', { recursive: true });
writeFileSync('.healstream/bench/kafka-clients.json', `${json}\n`);
process.exit(0);
