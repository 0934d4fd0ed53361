/** Fields worth showing a person from a service's JSON log line, in this order. */
const SHOWN = [
  'component',
  'incidentId',
  'commandId',
  'verdict',
  'policy',
  'cause',
  'confidence',
  'verification',
  'kind',
  'anomalies',
  'sink',
  'partitions',
  'port',
];
const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO ',
  40: 'WARN ',
  50: 'ERROR',
  60: 'FATAL',
};

/** One pino JSON line as a readable line: `12:00:01 detector  INFO  anomaly detected component=payments`. */
export function formatLogLine(service: string, line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${' '.repeat(9)}${service.padEnd(17)} ${line}`;
  }
  const time = typeof entry['time'] === 'string' ? entry['time'].slice(11, 19) : '';
  const level = LEVELS[entry['level'] as number] ?? String(entry['level'] ?? '');
  const fields = SHOWN.filter((k) => entry[k] !== undefined && entry[k] !== null).map(
    (k) => `${k}=${typeof entry[k] === 'object' ? JSON.stringify(entry[k]) : String(entry[k])}`,
  );
  const err = entry['err'] as { message?: string } | undefined;
  return `${time} ${service.padEnd(17)} ${level} ${String(entry['msg'] ?? '')}${fields.length ? '  ' + fields.join(' ') : ''}${err?.message ? `  error=${err.message}` : ''}`;
}
