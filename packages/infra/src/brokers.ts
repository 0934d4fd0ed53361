/**
 * The local Kafka as a set of brokers: one (the default), or a cluster of three KRaft nodes, each
 * broker and controller at once, replicating every topic three times with two in sync required,
 * the transaction and offsets logs likewise: what production runs. A cluster's shape is recorded
 * beside its data, so `status` and `down` (and a later `up`) find every broker again.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatKafkaStorage, kafkaJava, kafkaServerProperties, kraftId } from './kafka-config.js';
import { managed, startDetached, type ManagedProcess } from './processes.js';
import { paths, type InfraSettings } from './settings.js';

/** One broker of the local Kafka (the single broker is a cluster of one). */
export interface BrokerNode {
  id: number;
  /** `kafka` for the single broker, `kafka-1`… in a cluster: its pid, log and config names. */
  name: string;
  port: number;
  controllerPort: number;
  dataDir: string;
  proc: ManagedProcess;
}

interface ClusterShape {
  brokers: number;
  kafkaPorts: number[];
  controllerPorts: number[];
}

/** What a cluster's brokers set beyond the single broker's template: three replicas, two in sync. */
export const REPLICATED: Readonly<Record<string, string>> = Object.freeze({
  'default.replication.factor': '3',
  'min.insync.replicas': '2',
  'offsets.topic.replication.factor': '3',
  'transaction.state.log.replication.factor': '3',
  'transaction.state.log.min.isr': '2',
  'share.coordinator.state.topic.replication.factor': '3',
  'share.coordinator.state.topic.min.isr': '2',
});

const shapeFile = (s: InfraSettings) => join(paths(s).data, 'kafka-cluster.json');

/** The shape the local data was made with: a cluster's file, or the single broker's folder. */
function recordedShape(s: InfraSettings): ClusterShape | undefined {
  if (existsSync(shapeFile(s)))
    return JSON.parse(readFileSync(shapeFile(s), 'utf8')) as ClusterShape;
  if (existsSync(join(paths(s).kafkaData, 'meta.properties')))
    return { brokers: 1, kafkaPorts: [s.kafkaPort], controllerPorts: [s.controllerPort] };
  return undefined;
}

/**
 * The brokers to run: as the local data was made (a cluster keeps the ports its quorum was
 * formatted with), else as `s.brokers` asks. Asking for another count than the data has is an
 * error: a single broker's topics cannot become replicated ones in place.
 */
export function brokerNodes(s: InfraSettings): BrokerNode[] {
  const recorded = recordedShape(s);
  if (recorded && s.brokers !== undefined && recorded.brokers !== s.brokers)
    throw new Error(
      `the local Kafka in ${paths(s).data} was made with ${recorded.brokers} broker${recorded.brokers === 1 ? '' : 's'}, ` +
        `not ${s.brokers}: 'healstream infra down --clean' removes it (and its topics) first`,
    );
  const p = paths(s);
  const brokers = recorded?.brokers ?? s.brokers ?? 1;
  if (brokers === 1) {
    const marker = `healstream.infra=kafka:${s.kafkaPort}`;
    const proc = managed('kafka', p.run, p.logs, marker);
    return [
      {
        id: 1,
        name: 'kafka',
        port: s.kafkaPort,
        controllerPort: s.controllerPort,
        dataDir: p.kafkaData,
        proc,
      },
    ];
  }
  const shape = recorded ?? {
    brokers,
    kafkaPorts: s.kafkaPorts,
    controllerPorts: s.controllerPorts,
  };
  return shape.kafkaPorts.map((port, i) => {
    const name = `kafka-${i + 1}`;
    return {
      id: i + 1,
      name,
      port,
      controllerPort: shape.controllerPorts[i] as number,
      dataDir: join(p.data, name),
      proc: managed(name, p.run, p.logs, `healstream.infra=${name}:${port}`),
    };
  });
}

/** The bootstrap list of the local Kafka: every broker's address. */
export function clusterAddress(nodes: BrokerNode[]): string {
  return nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
}

/** One broker's server.properties: the single broker's template, or a cluster node's. */
export function brokerProperties(s: InfraSettings, node: BrokerNode, nodes: BrokerNode[]): string {
  const own = { ...s, kafkaPort: node.port, controllerPort: node.controllerPort };
  if (nodes.length === 1) return kafkaServerProperties(own, {}, node.dataDir);
  return kafkaServerProperties(
    own,
    {
      'node.id': String(node.id),
      'controller.quorum.bootstrap.servers': nodes
        .map((n) => `127.0.0.1:${n.controllerPort}`)
        .join(','),
      ...REPLICATED,
    },
    node.dataDir,
  );
}

const configFile = (s: InfraSettings, node: BrokerNode, nodes: BrokerNode[]) =>
  join(paths(s).run, nodes.length === 1 ? 'server.properties' : `${node.name}.properties`);

/**
 * Writes every broker's config and formats the storage of a new local Kafka: a single broker as
 * its own standalone controller; a cluster's nodes with one cluster id and the same three initial
 * controllers (each with the metadata directory id its own node is formatted with).
 */
export async function prepareBrokers(s: InfraSettings, nodes: BrokerNode[]): Promise<void> {
  mkdirSync(paths(s).run, { recursive: true });
  for (const node of nodes)
    writeFileSync(configFile(s, node, nodes), brokerProperties(s, node, nodes));
  const formatted = nodes.filter((n) => existsSync(join(n.dataDir, 'meta.properties')));
  if (formatted.length === nodes.length) return;
  if (formatted.length > 0)
    throw new Error(
      `the local Kafka cluster in ${paths(s).data} lacks the data of ${nodes
        .filter((n) => !formatted.includes(n))
        .map((n) => n.name)
        .join(', ')}: 'healstream infra down --clean' removes it (and its topics) first`,
    );
  for (const node of nodes) mkdirSync(node.dataDir, { recursive: true });
  if (nodes.length === 1) {
    await formatKafkaStorage(s, configFile(s, nodes[0] as BrokerNode, nodes));
    return;
  }
  const clusterId = kraftId();
  const quorum = [
    '--initial-controllers',
    nodes.map((n) => `${n.id}@127.0.0.1:${n.controllerPort}:${kraftId()}`).join(','),
  ];
  await Promise.all(
    nodes.map((n) => formatKafkaStorage(s, configFile(s, n, nodes), [], { clusterId, quorum })),
  );
  const shape: ClusterShape = {
    brokers: nodes.length,
    kafkaPorts: nodes.map((n) => n.port),
    controllerPorts: nodes.map((n) => n.controllerPort),
  };
  writeFileSync(shapeFile(s), `${JSON.stringify(shape)}\n`);
}

/** The java command line of one broker: heap, the JVM options of the settings, its config. */
export function brokerArgs(s: InfraSettings, node: BrokerNode, nodes: BrokerNode[]): string[] {
  return [
    `-Xmx${s.kafkaHeap}`,
    `-Xms${s.kafkaHeap}`,
    ...s.kafkaJavaOpts,
    `-D${node.proc.marker}`,
    ...kafkaJava(s),
    'kafka.Kafka',
    configFile(s, node, nodes),
  ];
}

/** Starts one broker, detached (its config written by `prepareBrokers`). */
export function startBroker(s: InfraSettings, node: BrokerNode, nodes: BrokerNode[]): void {
  startDetached(node.proc, s.java, brokerArgs(s, node, nodes), paths(s).run);
}
