import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@healstream/contracts';
import { baseEnvSchema, explainConnectionError, loadConfig } from '@healstream/runtime';
import { kafkaSecurity, registryConnection } from './connection-security.js';

const dir = mkdtempSync(join(tmpdir(), 'healstream-security-'));
const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const base = {
  KAFKA_BROKERS: '127.0.0.1:9093',
  SCHEMA_REGISTRY_URL: 'https://registry.example:8081/apis/ccompat/v7',
};
const sasl = {
  ...base,
  KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
  KAFKA_SASL_MECHANISM: 'scram-sha-512',
  KAFKA_SASL_USERNAME: 'healstream',
};

function failure(env: Record<string, string>): ConfigError {
  try {
    loadConfig(baseEnvSchema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the configuration');
}

describe('secured connection configuration', () => {
  it('is plaintext with no security variables', () => {
    const config = loadConfig(baseEnvSchema, base);
    expect(config.KAFKA_SECURITY_PROTOCOL).toBe('PLAINTEXT');
    expect(kafkaSecurity(config)).toEqual({});
    expect(registryConnection(config)).toEqual({});
  });

  it('builds TLS and SCRAM from files, the password file without its newline', () => {
    const config = loadConfig(baseEnvSchema, {
      ...sasl,
      KAFKA_SASL_PASSWORD_FILE: file('password', 's3cret-pw\n'),
      KAFKA_SSL_CA_FILE: file('ca.pem', PEM),
      KAFKA_SSL_CERT_FILE: file('cert.pem', PEM),
      KAFKA_SSL_KEY_FILE: file('key.pem', '-----BEGIN PRIVATE KEY-----\nx\n'),
      SCHEMA_REGISTRY_USERNAME: 'reg',
      SCHEMA_REGISTRY_PASSWORD: 'reg-pw',
      SCHEMA_REGISTRY_CA_FILE: file('registry-ca.pem', PEM),
    });
    const security = kafkaSecurity(config);
    expect(security.sasl).toEqual({
      mechanism: 'scram-sha-512',
      username: 'healstream',
      password: 's3cret-pw',
    });
    expect(security.ssl).toEqual({ ca: PEM, cert: PEM, key: '-----BEGIN PRIVATE KEY-----\nx\n' });
    expect(registryConnection(config)).toEqual({ username: 'reg', password: 'reg-pw', ca: PEM });
  });

  it('takes PLAIN over TLS with the system CAs when no CA is given', () => {
    const config = loadConfig(baseEnvSchema, {
      ...sasl,
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_PASSWORD: 'pw',
    });
    expect(kafkaSecurity(config)).toEqual({
      ssl: {},
      sasl: { mechanism: 'plain', username: 'healstream', password: 'pw' },
    });
  });

  it('names a CA file that does not exist', () => {
    const error = failure({
      ...sasl,
      KAFKA_SASL_PASSWORD: 'pw',
      KAFKA_SSL_CA_FILE: '/nope/ca.pem',
    });
    expect(error.variables).toEqual(['KAFKA_SSL_CA_FILE']);
    expect(error.message).toMatch(
      /KAFKA_SSL_CA_FILE names a file that cannot be read: \/nope\/ca\.pem \(ENOENT\)/,
    );
  });

  it('names an unknown mechanism and lists the known ones', () => {
    const error = failure({ ...sasl, KAFKA_SASL_MECHANISM: 'GSSAPI', KAFKA_SASL_PASSWORD: 'pw' });
    expect(error.variables).toEqual(['KAFKA_SASL_MECHANISM']);
    expect(error.message).toMatch(
      /KAFKA_SASL_MECHANISM must be one of PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 \(got 'GSSAPI'\)/,
    );
  });

  it('names what a SASL protocol is missing', () => {
    expect(failure({ ...sasl }).message).toMatch(
      /KAFKA_SASL_PASSWORD \(or KAFKA_SASL_PASSWORD_FILE\) is required/,
    );
    const { KAFKA_SASL_MECHANISM: _m, ...noMechanism } = sasl;
    expect(failure({ ...noMechanism, KAFKA_SASL_PASSWORD: 'pw' }).variables).toEqual([
      'KAFKA_SASL_MECHANISM',
    ]);
  });

  it('refuses security variables the protocol would ignore', () => {
    const error = failure({ ...base, KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'pw' });
    expect(error.message).toMatch(
      /KAFKA_SASL_USERNAME is set but KAFKA_SECURITY_PROTOCOL is PLAINTEXT/,
    );
    expect(error.message).not.toContain("'pw'");
    expect(failure({ ...base, KAFKA_SSL_CA_FILE: file('ca2.pem', PEM) }).variables).toEqual([
      'KAFKA_SSL_CA_FILE',
    ]);
  });

  it('refuses a value and its file both set, a keystore for a PEM, a cert without its key', () => {
    const pw = { ...sasl, KAFKA_SASL_PASSWORD: 'pw' };
    expect(failure({ ...pw, KAFKA_SASL_PASSWORD_FILE: file('p2', 'pw') }).variables).toEqual([
      'KAFKA_SASL_PASSWORD_FILE',
    ]);
    expect(failure({ ...pw, KAFKA_SSL_CA_FILE: file('ca.jks', 'binary') }).message).toMatch(
      /KAFKA_SSL_CA_FILE \(.*ca\.jks\) is not PEM/,
    );
    expect(failure({ ...pw, KAFKA_SSL_CERT_FILE: file('c.pem', PEM) }).variables).toEqual([
      'KAFKA_SSL_KEY_FILE',
    ]);
  });

  it('checks the registry: both halves of basic auth, a CA only for https', () => {
    expect(failure({ ...base, SCHEMA_REGISTRY_USERNAME: 'reg' }).variables).toEqual([
      'SCHEMA_REGISTRY_PASSWORD',
    ]);
    expect(
      failure({
        ...base,
        SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
        SCHEMA_REGISTRY_CA_FILE: file('r.pem', PEM),
      }).variables,
    ).toEqual(['SCHEMA_REGISTRY_CA_FILE']);
  });

  it('never shows the value of a secret variable it rejects', () => {
    const error = failure({
      ...base,
      KAFKA_SECURITY_PROTOCOL: 'TLS',
      KAFKA_SSL_KEY_PASSWORD: 'hunter2',
    });
    expect(error.message).toMatch(/KAFKA_SECURITY_PROTOCOL must be one of/);
    expect(error.message).not.toContain('hunter2');
  });
});

describe('explainConnectionError', () => {
  const config = loadConfig(baseEnvSchema, { ...sasl, KAFKA_SASL_PASSWORD: 'hunter2' });

  it('says a refused login as the variables to fix, without the password', () => {
    const refused = Object.assign(new Error('SASL SCRAM SHA512 authentication failed: hunter2?'), {
      name: 'KafkaJSSASLAuthenticationError',
    });
    const error = explainConnectionError(refused, config);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('KAFKA_AUTH_FAILED');
    expect((error as ConfigError).message).toMatch(
      /Kafka 127\.0\.0\.1:9093 refused the SCRAM-SHA-512 login of user 'healstream': check KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
    );
    expect((error as ConfigError).message).not.toContain('hunter2');
  });

  it('names the CA when the TLS handshake fails, and passes other errors on', () => {
    const tls = Object.assign(
      new Error('Connection error: self-signed certificate in certificate chain'),
      {
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      },
    );
    expect(String((explainConnectionError(tls, config) as Error).message)).toMatch(
      /check KAFKA_SSL_CA_FILE/,
    );
    const other = new Error('Connection timeout');
    expect(explainConnectionError(other, config)).toBe(other);
  });
});
