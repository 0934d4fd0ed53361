import { readFileSync } from 'node:fs';
import { Serde, topicsFor, type MetricSample } from '@healstream/contracts';
import { createRegistryClient, partitioner } from '@healstream/runtime';
import { CliError, type Command } from '../command.js';
import { cliKafka, resolveEnv } from '../connection.js';

export interface ParsedLine {
  sample?: MetricSample;
  error?: string;
  line: number;
}

/**
 * Metric samples from JSON lines (`{"component","metric","value","timestamp"?,"labels"?}`) or
 * CSV with a header naming at least component,metric,value (timestamp, and any other column
 * becomes a label). A missing timestamp is `now`. Bad lines are reported, never guessed.
 */
export function parseSamples(text: string, now: number): ParsedLine[] {
  const lines = text.split(/\r?\n/);
  const firstReal = lines.find((l) => l.trim() !== '') ?? '';
  const csv = !firstReal.trim().startsWith('{');
  const results: ParsedLine[] = [];
  let header: string[] | undefined;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const text = raw.trim();
    if (text === '' || text.startsWith('#')) return;
    if (csv && !header) {
      header = text.split(',').map((h) => h.trim());
      const missing = ['component', 'metric', 'value'].filter((h) => !header?.includes(h));
      if (missing.length) results.push({ line, error: `CSV header lacks ${missing.join(', ')}` });
      return;
    }
    let record: Record<string, unknown>;
    if (csv) {
      const cells = text.split(',').map((c) => c.trim());
      record = {};
      const labels: Record<string, string> = {};
      (header as string[]).forEach((h, j) => {
        if (['component', 'metric', 'value', 'timestamp'].includes(h)) record[h] = cells[j];
        else if (cells[j]) labels[h] = cells[j] as string;
      });
      record['labels'] = labels;
    } else {
      try {
        record = JSON.parse(text) as Record<string, unknown>;
      } catch (error) {
        results.push({ line, error: `not JSON: ${(error as Error).message}` });
        return;
      }
    }
    const value = Number(record['value']);
    const ts = record['timestamp'];
    const timestamp =
      ts === undefined || ts === ''
        ? now
        : typeof ts === 'number'
          ? ts
          : /^\d+$/.test(String(ts))
            ? Number(ts)
            : Date.parse(String(ts));
    const problems = [
      typeof record['component'] === 'string' && record['component'] !== ''
        ? null
        : 'component is missing',
      typeof record['metric'] === 'string' && record['metric'] !== '' ? null : 'metric is missing',
      Number.isFinite(value) ? null : `value ${JSON.stringify(record['value'])} is not a number`,
      Number.isFinite(timestamp)
        ? null
        : `timestamp ${JSON.stringify(ts)} is not epoch ms or ISO-8601`,
    ].filter(Boolean);
    if (problems.length) {
      results.push({ line, error: problems.join('; ') });
      return;
    }
    const labels = Object.fromEntries(
      Object.entries((record['labels'] as Record<string, unknown>) ?? {}).map(([k, v]) => [
        k,
        String(v),
      ]),
    );
    results.push({
      line,
      sample: {
        component: record['component'] as string,
        metric: record['metric'] as string,
        value,
        timestamp,
        labels,
      },
    });
  });
  return results;
}

export const publish: Command = {
  path: ['publish'],
  summary: 'publish metric samples (JSON lines or CSV) from a file or stdin to the metrics topic',
  usage: 'healstream publish [--file F] [--json]',
  options: { file: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const file = args.values['file'];
    const text = typeof file === 'string' ? readFileSync(file, 'utf8') : readFileSync(0, 'utf8');
    const parsed = parseSamples(text, Date.now());
    const source = typeof file === 'string' ? file : '<stdin>';
    for (const p of parsed) if (p.error) io.err(`${source}:${p.line}: ${p.error} (skipped)`);
    const samples = parsed.flatMap((p) => (p.sample ? [p.sample] : []));
    if (samples.length === 0) throw new CliError(`publish: no valid samples in ${source}`);
    const config = await resolveEnv(io);
    const { topic } = topicsFor(config.HEALSTREAM_TOPIC_PREFIX).metrics;
    const serde = new Serde(createRegistryClient(config), config.SCHEMA_COMPATIBILITY);
    await serde.registerTopic(topic, 'MetricSample');
    const kafka = cliKafka(config);
    const producer = kafka.producer({ createPartitioner: partitioner, idempotent: true });
    await producer.connect();
    try {
      for (let i = 0; i < samples.length; i += 1000) {
        await producer.send({
          topic,
          acks: -1,
          messages: samples.slice(i, i + 1000).map((s) => ({
            key: s.component,
            value: serde.encode(topic, s),
            timestamp: String(s.timestamp),
          })),
        });
      }
    } finally {
      await producer.disconnect();
    }
    const skipped = parsed.length - samples.length;
    if (args.values['json']) io.out(JSON.stringify({ topic, published: samples.length, skipped }));
    else
      io.out(
        `published ${samples.length} samples to ${topic}${skipped ? `, skipped ${skipped} bad lines` : ''}`,
      );
    return skipped > 0 ? 1 : 0;
  },
};
