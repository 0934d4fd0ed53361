import { GenericContainer, Wait, type StartedTestContainer } from 'testcontainers';
import { KAFKA_VERSION, REGISTRY_VERSION, freePort } from '@healstream/infra';

export interface ContainerInfra {
  brokers: string;
  registryUrl: string;
  stop(): Promise<void>;
}

/**
 * Kafka and the registry as containers (`HEALSTREAM_TEST_INFRA=containers`), for machines with
 * a Docker engine: the same images and versions as docker-compose.yml. Kafka advertises the
 * host port it is published on, so that port is chosen first and bound as is.
 * Not exercised where this project is tested (no Docker engine there): the embedded infra is.
 */
export async function startContainerInfra(): Promise<ContainerInfra> {
  const port = await freePort();
  const kafka: StartedTestContainer = await new GenericContainer(`apache/kafka:${KAFKA_VERSION}`)
    .withExposedPorts({ container: port, host: port })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://:19092,EXTERNAL://:${port},CONTROLLER://:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:19092,EXTERNAL://127.0.0.1:${port}`,
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP:
        'PLAINTEXT:PLAINTEXT,EXTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'PLAINTEXT',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .withStartupTimeout(180_000)
    .start();
  const registry = await new GenericContainer(`apicurio/apicurio-registry:${REGISTRY_VERSION}`)
    .withExposedPorts(8080)
    .withWaitStrategy(Wait.forHttp('/apis/ccompat/v7/subjects', 8080))
    .withStartupTimeout(180_000)
    .start();
  return {
    brokers: `127.0.0.1:${port}`,
    registryUrl: `http://${registry.getHost()}:${registry.getMappedPort(8080)}/apis/ccompat/v7`,
    async stop() {
      await Promise.all([registry.stop(), kafka.stop()]);
    },
  };
}
