import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
import type { MetricSample, Serde } from '@healstream/contracts';
import { infraSettings, up } from '@healstream/infra';

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 10 ms). */
export function cpuSeconds(pid: number | undefined): number {
  try {
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/** Busy and total jiffies of the whole machine, from /proc/stat (zeros where there is none). */
export function machineJiffies(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] =
    line.split(/\s+/).slice(1).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

/** The share of the machine's cores busy between two readings of machineJiffies. */
export function busyShare(
  before: { busy: number; total: number },
  after: { busy: number; total: number },
): number {
  return (after.busy - before.busy) / Math.max(1, after.total - before.total);
}

/**
 * The broker and registry a bench of service processes runs on: KAFKA_BROKERS and
 * SCHEMA_REGISTRY_URL when set, else the local ones (started if they are not running), and a
 * kafkajs client on it.
 */
export async function benchInfra(
  clientId: string,
): Promise<{ brokers: string; registryUrl: string; kafka: Kafka }> {
  const infra = process.env['KAFKA_BROKERS']
    ? {
        brokers: process.env['KAFKA_BROKERS'],
        registryUrl: process.env['SCHEMA_REGISTRY_URL'] as string,
      }
    : await up(infraSettings());
  const kafka = new Kafka({
    clientId,
    brokers: infra.brokers.split(','),
    logLevel: logLevel.NOTHING,
  });
  return { ...infra, kafka };
}

/**
 * Produces `count` samples to `topic` (its subject registered already), `sample(i, at)` each,
 * timestamped one millisecond apart ending now, `batch` records per send, keyed by component.
 */
export async function preloadSamples(
  kafka: Kafka,
  serde: Serde,
  topic: string,
  count: number,
  sample: (i: number, at: number) => MetricSample,
  batch: number,
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const t0 = Date.now() - count;
  for (let i = 0; i < count; i += batch) {
    const messages = [];
    for (let j = i; j < Math.min(count, i + batch); j++) {
      const s = sample(j, t0 + j);
      messages.push({
        key: s.component,
        value: serde.encode(topic, s),
        timestamp: String(s.timestamp),
      });
    }
    await producer.send({ topic, messages });
  }
  await producer.disconnect();
}
