/**
 * A broker's configuration and storage: server.properties from the repository's template, the
 * StorageTool format of a new data folder, and the JVM flags every broker tool runs with.
 */
import { randomUUID } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { paths, type InfraSettings } from './settings.js';

const run = promisify(execFile);

/**
 * A new KRaft id (a cluster's or a metadata directory's): 16 random bytes, base64url. Never one
 * starting with '-', as Kafka's own Uuid.randomUuid avoids: StorageTool would read `-t -…` as
 * an option.
 */
export function kraftId(): string {
  for (;;) {
    const id = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/**
 * The broker's server.properties: the repository's template with the settings' ports and the data
 * folder filled in, and each of `overrides` replacing its key's line (or added after the rest), so
 * a broker with other listeners (the secured one of the tests) is otherwise the same broker.
 */
export function kafkaServerProperties(
  s: InfraSettings,
  overrides: Record<string, string> = {},
  dataDir = paths(s).kafkaData,
): string {
  const template = readFileSync(
    join(s.repoRoot, 'infra', 'kafka', 'server.properties.template'),
    'utf8',
  );
  const values: Record<string, string> = {
    KAFKA_PORT: String(s.kafkaPort),
    CONTROLLER_PORT: String(s.controllerPort),
    DATA_DIR: dataDir,
  };
  const filled = template.replace(
    /\$\{(\w+)\}/g,
    (_, name: string) => values[name] ?? `\${${name}}`,
  );
  const left = new Map(Object.entries(overrides));
  const lines = filled.split('\n').map((line) => {
    const key = /^([\w.-]+)=/.exec(line)?.[1];
    const value = key === undefined ? undefined : left.get(key);
    if (key === undefined || value === undefined) return line;
    left.delete(key);
    return `${key}=${value}`;
  });
  const added = [...left].map(([key, value]) => `${key}=${value}`);
  return [...lines.filter((l, i) => l !== '' || i < lines.length - 1), ...added, ''].join('\n');
}

/**
 * Formats a new broker's storage (KRaft; by default a standalone controller); `extra` adds
 * StorageTool flags. The brokers of one cluster share `clusterId` and list the same `quorum`.
 */
export async function formatKafkaStorage(
  s: InfraSettings,
  config: string,
  extra: string[] = [],
  cluster: { clusterId?: string; quorum?: string[] } = {},
): Promise<void> {
  await run(s.java, [
    ...kafkaJava(s),
    'kafka.tools.StorageTool',
    'format',
    '-t',
    cluster.clusterId ?? kraftId(),
    '-c',
    config,
    ...(cluster.quorum ?? ['--standalone']),
    ...extra,
  ]);
}

/** The JVM flags every broker tool runs with: the repository's log4j2 and the Kafka jars. */
export function kafkaJava(s: InfraSettings): string[] {
  return [
    `-Dlog4j2.configurationFile=${join(s.repoRoot, 'infra', 'kafka', 'log4j2.yaml')}`,
    '-cp',
    join(paths(s).kafkaLibs, '*'),
  ];
}
