import { Kafka, Partitioners, type KafkaConfig } from 'kafkajs';
import { ConfigError, RegistryClient } from '@healstream/contracts';
import { kafkaSecurity, registryConnection, type ConnectionEnv } from './connection-security.js';
import { kafkaLogCreator, quietKafkajsTimerWarnings, type Logger } from './logger.js';

/**
 * How kafkajs retries, for every client healstream builds: its default backoff doubles up to
 * 30 s, so during a broker outage (the cluster's metadata still names the dead broker for the
 * ~10 s its leaders take to move) a fetch or a send that kept failing slept 6-13 s at a time and
 * a stage stayed idle for most of the outage after the leaders had moved (docs/chaos.md, (j)).
 * Here a retry sleeps at most `maxRetryTime`, and there are as many as keep the old patience:
 * about 25 s in all for a request, 80 s for the consumer's fetch loop.
 */
export const CLIENT_RETRY = { initialRetryTime: 100, maxRetryTime: 2000, retries: 16 } as const;
export const CONSUMER_RETRY = { ...CLIENT_RETRY, retries: 42 } as const;

/**
 * One kafkajs client for a service or command, the only place healstream builds one: brokers,
 * TLS and SASL all come from the validated configuration. Producers it makes use Java's
 * murmur2 partitioner.
 */
export function createKafka(options: {
  config: Pick<ConnectionEnv, Exclude<keyof ConnectionEnv, 'SCHEMA_REGISTRY_URL'>>;
  clientId: string;
  logger: Logger;
  extra?: Partial<KafkaConfig>;
}): Kafka {
  quietKafkajsTimerWarnings();
  return new Kafka({
    clientId: options.clientId,
    brokers: options.config.KAFKA_BROKERS,
    ...kafkaSecurity(options.config),
    logCreator: kafkaLogCreator(options.logger),
    retry: CLIENT_RETRY,
    ...options.extra,
  });
}

/** The schema-registry client of the configuration: its URL, basic auth and CA. */
export function createRegistryClient(config: ConnectionEnv): RegistryClient {
  return new RegistryClient(config.SCHEMA_REGISTRY_URL, registryConnection(config));
}

/** Java-compatible key → partition (murmur2), the same for every producer healstream runs. */
export const partitioner = Partitioners.DefaultPartitioner;

const TLS_CODES =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ERR_TLS|ERR_SSL|EPROTO|ECONNRESET/;

function chain(error: unknown): Array<Error & { code?: unknown }> {
  const seen: Array<Error & { code?: unknown }> = [];
  let current: unknown = error;
  while (current instanceof Error && seen.length < 8) {
    seen.push(current);
    const next = current as { cause?: unknown; originalError?: unknown };
    current = next.originalError ?? next.cause;
  }
  return seen;
}

/**
 * A failure to reach a secured cluster, said as the configuration a person must fix: a refused
 * login names the SASL variables, a failed TLS handshake names the CA; no secret is in it. Any
 * other error is returned as it is.
 */
export function explainConnectionError(error: unknown, config: ConnectionEnv): unknown {
  const errors = chain(error);
  const secrets = [config.KAFKA_SASL_PASSWORD, config.KAFKA_SSL_KEY_PASSWORD].filter(
    (s): s is string => typeof s === 'string' && s !== '',
  );
  const mask = (text: string) => secrets.reduce((t, s) => t.replaceAll(s, '***'), text);
  const brokers = config.KAFKA_BROKERS.join(',');
  const sasl = errors.find((e) => e.name === 'KafkaJSSASLAuthenticationError');
  if (sasl) {
    const passwordVar =
      config.KAFKA_SASL_PASSWORD_FILE === undefined
        ? 'KAFKA_SASL_PASSWORD'
        : 'KAFKA_SASL_PASSWORD_FILE';
    return new ConfigError(
      `Kafka ${brokers} refused the ${config.KAFKA_SASL_MECHANISM ?? 'SASL'} login of user ` +
        `'${config.KAFKA_SASL_USERNAME ?? ''}': check KAFKA_SASL_USERNAME and ${passwordVar} ` +
        `(${mask(sasl.message)})`,
      { code: 'KAFKA_AUTH_FAILED', variables: ['KAFKA_SASL_USERNAME', passwordVar] },
    );
  }
  const tls =
    config.KAFKA_SECURITY_PROTOCOL === 'SSL' || config.KAFKA_SECURITY_PROTOCOL === 'SASL_SSL';
  const handshake = errors.find(
    (e) => typeof e.code === 'string' && TLS_CODES.test(e.code) && !/ECONNREFUSED/.test(e.code),
  );
  if (tls && handshake)
    return new ConfigError(
      `the TLS handshake with Kafka ${brokers} failed (${String(handshake.code)}): ` +
        `${mask(handshake.message)}; check KAFKA_SSL_CA_FILE (the CA that signed the broker's ` +
        `certificate), KAFKA_SSL_CERT_FILE / KAFKA_SSL_KEY_FILE, and that the listener speaks TLS`,
      { code: 'KAFKA_AUTH_FAILED', variables: ['KAFKA_SSL_CA_FILE', 'KAFKA_SECURITY_PROTOCOL'] },
    );
  return error;
}
