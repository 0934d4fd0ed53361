import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { brokerNodes, infraSettings } from '@healstream/infra';
import { brokerArgs, brokerProperties, clusterAddress } from './brokers.js';
import { kraftId } from './kafka-config.js';

const home = () => mkdtempSync(join(tmpdir(), 'healstream-brokers-'));
const settings = (env: NodeJS.ProcessEnv) =>
  infraSettings({ HEALSTREAM_KAFKA_PORT: '19092', HEALSTREAM_CONTROLLER_PORT: '19093', ...env });

/** The server.properties lines as a map (comments and blank lines left out). */
function parse(text: string): Map<string, string> {
  return new Map(
    text
      .split('\n')
      .filter((l) => /^[\w.-]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('a three-broker local cluster', () => {
  const s = settings({ HEALSTREAM_HOME: home(), HEALSTREAM_BROKERS: '3' });
  const nodes = brokerNodes(s);

  it('has three nodes with their own ports and data folders', () => {
    expect(nodes.map((n) => [n.id, n.name, n.port, n.controllerPort])).toEqual([
      [1, 'kafka-1', 19092, 19093],
      [2, 'kafka-2', 19094, 19095],
      [3, 'kafka-3', 19096, 19097],
    ]);
    expect(new Set(nodes.map((n) => n.dataDir)).size).toBe(3);
    expect(new Set(nodes.map((n) => n.proc.pidFile)).size).toBe(3);
    expect(clusterAddress(nodes)).toBe('127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096');
  });

  it('replicates every topic three times, two in sync, the transaction and offsets logs too', () => {
    for (const node of nodes) {
      const p = parse(brokerProperties(s, node, nodes));
      expect(p.get('node.id')).toBe(String(node.id));
      expect(p.get('process.roles')).toBe('broker,controller');
      expect(p.get('listeners')).toBe(
        `PLAINTEXT://127.0.0.1:${node.port},CONTROLLER://127.0.0.1:${node.controllerPort}`,
      );
      expect(p.get('advertised.listeners')).toBe(`PLAINTEXT://127.0.0.1:${node.port}`);
      expect(p.get('controller.quorum.bootstrap.servers')).toBe(
        '127.0.0.1:19093,127.0.0.1:19095,127.0.0.1:19097',
      );
      expect(p.get('log.dirs')).toBe(node.dataDir);
      expect(p.get('default.replication.factor')).toBe('3');
      expect(p.get('min.insync.replicas')).toBe('2');
      expect(p.get('offsets.topic.replication.factor')).toBe('3');
      expect(p.get('transaction.state.log.replication.factor')).toBe('3');
      expect(p.get('transaction.state.log.min.isr')).toBe('2');
    }
  });

  it('takes its ports from HEALSTREAM_KAFKA_PORTS and HEALSTREAM_CONTROLLER_PORTS', () => {
    const listed = settings({
      HEALSTREAM_HOME: home(),
      HEALSTREAM_BROKERS: '3',
      HEALSTREAM_KAFKA_PORTS: '30001,30011,30021',
      HEALSTREAM_CONTROLLER_PORTS: '30002,30012,30022',
    });
    expect(brokerNodes(listed).map((n) => [n.port, n.controllerPort])).toEqual([
      [30001, 30002],
      [30011, 30012],
      [30021, 30022],
    ]);
    expect(() => settings({ HEALSTREAM_KAFKA_PORTS: '1,2' })).toThrow(/three ports/);
    expect(() => settings({ HEALSTREAM_BROKERS: '2' })).toThrow(/1 or 3/);
  });

  it('keeps the ports its quorum was made with, and refuses another broker count', () => {
    const dir = home();
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(
      join(dir, 'data', 'kafka-cluster.json'),
      JSON.stringify({ brokers: 3, kafkaPorts: [1, 3, 5], controllerPorts: [2, 4, 6] }),
    );
    expect(brokerNodes(settings({ HEALSTREAM_HOME: dir })).map((n) => n.port)).toEqual([1, 3, 5]);
    expect(() => brokerNodes(settings({ HEALSTREAM_HOME: dir, HEALSTREAM_BROKERS: '1' }))).toThrow(
      /made with 3 brokers, not 1: 'healstream infra down --clean'/,
    );
  });
});

describe('the single broker', () => {
  it("is the one it always was: the template's properties, untouched", () => {
    const s = settings({ HEALSTREAM_HOME: home() });
    const nodes = brokerNodes(s);
    expect(nodes.map((n) => [n.name, n.port, n.proc.marker])).toEqual([
      ['kafka', 19092, 'healstream.infra=kafka:19092'],
    ]);
    const p = parse(brokerProperties(s, nodes[0]!, nodes));
    expect(p.get('node.id')).toBe('1');
    expect(p.get('transaction.state.log.replication.factor')).toBe('1');
    expect(p.has('default.replication.factor')).toBe(false);
    expect(p.get('controller.quorum.bootstrap.servers')).toBe('127.0.0.1:19093');
  });
});

describe('kraftId', () => {
  it('never starts with a dash, which StorageTool would take for an option', () => {
    const ids = Array.from({ length: 2000 }, () => kraftId());
    expect(ids.every((id) => /^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("a local broker's JVM", () => {
  const args = (env: NodeJS.ProcessEnv) => {
    const s = settings({ HEALSTREAM_HOME: home(), ...env });
    const nodes = brokerNodes(s);
    return brokerArgs(s, nodes[0] as (typeof nodes)[number], nodes);
  };

  it('runs the client compiler alone and the serial collector unless told otherwise', () => {
    const a = args({});
    expect(a).toContain('-XX:TieredStopAtLevel=1');
    expect(a).toContain('-XX:+UseSerialGC');
    // JVM options come before the main class: after it they would be the broker's arguments.
    expect(a.indexOf('-XX:+UseSerialGC')).toBeLessThan(a.indexOf('kafka.Kafka'));
  });

  it('takes HEALSTREAM_KAFKA_JAVA_OPTS instead, and none when it is set empty', () => {
    const a = args({ HEALSTREAM_KAFKA_JAVA_OPTS: ' -XX:+UseG1GC  -XX:MaxGCPauseMillis=20 ' });
    expect(a).toContain('-XX:+UseG1GC');
    expect(a).toContain('-XX:MaxGCPauseMillis=20');
    expect(a).not.toContain('-XX:TieredStopAtLevel=1');
    const none = args({ HEALSTREAM_KAFKA_JAVA_OPTS: '' });
    expect(none.filter((x) => x.startsWith('-XX:'))).toEqual([]);
    expect(none.slice(0, 2)).toEqual(['-Xmx768m', '-Xms768m']);
  });
});
