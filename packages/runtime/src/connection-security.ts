import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { SASLOptions } from 'kafkajs';
import { z } from 'zod';
import { ConfigError, type RegistryConnection } from '@healstream/contracts';

export const SECURITY_PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const;
export const SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

const upper = (values: readonly string[]) => (raw: unknown) =>
  typeof raw === 'string' && values.includes(raw.trim().toUpperCase())
    ? raw.trim().toUpperCase()
    : raw;

const optional = z.string().optional();

/**
 * The variables of a secured connection. Each secret or PEM comes from the variable itself or
 * from a file named by `<VARIABLE>_FILE` (a mounted Kubernetes or Docker secret), never both.
 */
export const securityEnvShape = {
  KAFKA_SECURITY_PROTOCOL: z
    .preprocess(
      upper(SECURITY_PROTOCOLS),
      z.enum(SECURITY_PROTOCOLS, { error: `must be one of ${SECURITY_PROTOCOLS.join(', ')}` }),
    )
    .default('PLAINTEXT'),
  KAFKA_SASL_MECHANISM: z
    .preprocess(
      upper(SASL_MECHANISMS),
      z.enum(SASL_MECHANISMS, { error: `must be one of ${SASL_MECHANISMS.join(', ')}` }),
    )
    .optional(),
  KAFKA_SASL_USERNAME: optional,
  KAFKA_SASL_PASSWORD: optional,
  KAFKA_SASL_PASSWORD_FILE: optional,
  KAFKA_SSL_CA: optional,
  KAFKA_SSL_CA_FILE: optional,
  KAFKA_SSL_CERT: optional,
  KAFKA_SSL_CERT_FILE: optional,
  KAFKA_SSL_KEY: optional,
  KAFKA_SSL_KEY_FILE: optional,
  KAFKA_SSL_KEY_PASSWORD: optional,
  KAFKA_SSL_KEY_PASSWORD_FILE: optional,
  SCHEMA_REGISTRY_USERNAME: optional,
  SCHEMA_REGISTRY_PASSWORD: optional,
  SCHEMA_REGISTRY_PASSWORD_FILE: optional,
  SCHEMA_REGISTRY_CA: optional,
  SCHEMA_REGISTRY_CA_FILE: optional,
};

type SecurityEnv = z.infer<z.ZodObject<typeof securityEnvShape>>;

/** What a Kafka client and a registry client need to reach the configured cluster. */
export type ConnectionEnv = SecurityEnv & { KAFKA_BROKERS: string[]; SCHEMA_REGISTRY_URL: string };

/** Variables whose value is never printed, in an error or anywhere else. */
export function isSecretVariable(name: string): boolean {
  return /PASSWORD|SECRET|TOKEN|_KEY$/.test(name) && !name.endsWith('_FILE');
}

type SecretName =
  | 'KAFKA_SASL_PASSWORD'
  | 'KAFKA_SSL_CA'
  | 'KAFKA_SSL_CERT'
  | 'KAFKA_SSL_KEY'
  | 'KAFKA_SSL_KEY_PASSWORD'
  | 'SCHEMA_REGISTRY_PASSWORD'
  | 'SCHEMA_REGISTRY_CA';

const PEM_KINDS = new Set<SecretName>([
  'KAFKA_SSL_CA',
  'KAFKA_SSL_CERT',
  'KAFKA_SSL_KEY',
  'SCHEMA_REGISTRY_CA',
]);

function invalid(variable: string, message: string): ConfigError {
  return new ConfigError(`invalid configuration: ${variable} ${message}`, {
    variables: [variable],
  });
}

/** The value of `name`, or the content of the file `name_FILE` names; undefined when neither. */
function valueOrFile(env: SecurityEnv, name: SecretName): string | undefined {
  const direct = env[name];
  const fileVar = `${name}_FILE` as const;
  const file = env[fileVar];
  if (direct !== undefined && file !== undefined)
    throw invalid(fileVar, `and ${name} are both set: set one of them`);
  let value = direct;
  let source: string = name;
  if (file !== undefined) {
    try {
      value = readFileSync(file, 'utf8');
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw invalid(fileVar, `names a file that cannot be read: ${file} (${reason})`);
    }
    source = `${fileVar} (${file})`;
  }
  if (value === undefined) return undefined;
  // Secrets written with `echo` end in a newline that is not part of them.
  value = PEM_KINDS.has(name) ? value : value.replace(/\r?\n$/, '');
  if (value === '') throw invalid(source, 'is empty');
  if (PEM_KINDS.has(name) && !value.includes('-----BEGIN '))
    throw invalid(source, 'is not PEM (no -----BEGIN line): give the PEM text, not a keystore');
  return value;
}

function setOf(env: SecurityEnv, prefix: string): string[] {
  return Object.keys(securityEnvShape).filter(
    (name) => name.startsWith(prefix) && env[name as keyof SecurityEnv] !== undefined,
  );
}

/** kafkajs's `ssl` and `sasl` options for the configured protocol; throws ConfigError. */
export function kafkaSecurity(env: SecurityEnv): { ssl?: ConnectionOptions; sasl?: SASLOptions } {
  const protocol = env.KAFKA_SECURITY_PROTOCOL;
  const tls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const sasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';
  const stray = [
    ...(tls ? [] : setOf(env, 'KAFKA_SSL_')),
    ...(sasl ? [] : setOf(env, 'KAFKA_SASL_')),
  ];
  if (stray[0] !== undefined)
    throw invalid(
      stray[0],
      `is set but KAFKA_SECURITY_PROTOCOL is ${protocol}: set KAFKA_SECURITY_PROTOCOL to ` +
        `${stray[0].startsWith('KAFKA_SSL_') ? 'SSL or SASL_SSL' : 'SASL_PLAINTEXT or SASL_SSL'}`,
    );
  const result: { ssl?: ConnectionOptions; sasl?: SASLOptions } = {};
  if (tls) {
    const ca = valueOrFile(env, 'KAFKA_SSL_CA');
    const cert = valueOrFile(env, 'KAFKA_SSL_CERT');
    const key = valueOrFile(env, 'KAFKA_SSL_KEY');
    const passphrase = valueOrFile(env, 'KAFKA_SSL_KEY_PASSWORD');
    if ((cert === undefined) !== (key === undefined))
      throw invalid(
        cert === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE',
        `is required: a client certificate needs its key and the key its certificate`,
      );
    // Without a CA of its own, TLS trusts the system's certificate authorities.
    result.ssl = {
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      ...(passphrase === undefined ? {} : { passphrase }),
    };
  }
  if (sasl) {
    const mechanism = env.KAFKA_SASL_MECHANISM;
    if (mechanism === undefined)
      throw invalid(
        'KAFKA_SASL_MECHANISM',
        `is required with KAFKA_SECURITY_PROTOCOL=${protocol} (one of ${SASL_MECHANISMS.join(', ')})`,
      );
    const username = env.KAFKA_SASL_USERNAME;
    if (username === undefined || username === '')
      throw invalid('KAFKA_SASL_USERNAME', `is required with KAFKA_SECURITY_PROTOCOL=${protocol}`);
    const password = valueOrFile(env, 'KAFKA_SASL_PASSWORD');
    if (password === undefined)
      throw invalid(
        'KAFKA_SASL_PASSWORD',
        `(or KAFKA_SASL_PASSWORD_FILE) is required with KAFKA_SECURITY_PROTOCOL=${protocol}`,
      );
    const kind = mechanism.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512';
    result.sasl = { mechanism: kind, username, password } as SASLOptions;
  }
  return result;
}

/** Basic auth and CA for the schema registry; throws ConfigError. */
export function registryConnection(
  env: SecurityEnv & { SCHEMA_REGISTRY_URL: string },
): RegistryConnection {
  const username = env.SCHEMA_REGISTRY_USERNAME;
  const password = valueOrFile(env, 'SCHEMA_REGISTRY_PASSWORD');
  if ((username === undefined) !== (password === undefined))
    throw invalid(
      username === undefined ? 'SCHEMA_REGISTRY_USERNAME' : 'SCHEMA_REGISTRY_PASSWORD',
      'is required: basic auth needs both SCHEMA_REGISTRY_USERNAME and SCHEMA_REGISTRY_PASSWORD',
    );
  const ca = valueOrFile(env, 'SCHEMA_REGISTRY_CA');
  if (ca !== undefined && !env.SCHEMA_REGISTRY_URL.startsWith('https:'))
    throw invalid(
      env.SCHEMA_REGISTRY_CA_FILE === undefined ? 'SCHEMA_REGISTRY_CA' : 'SCHEMA_REGISTRY_CA_FILE',
      `is set but SCHEMA_REGISTRY_URL is not https: ${env.SCHEMA_REGISTRY_URL}`,
    );
  return {
    ...(username !== undefined && password !== undefined ? { username, password } : {}),
    ...(ca === undefined ? {} : { ca }),
  };
}
