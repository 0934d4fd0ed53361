import { readFileSync } from 'node:fs';
import { Kafka, logLevel } from 'kafkajs';
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
