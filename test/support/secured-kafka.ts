import { setTimeout as sleep } from 'node:timers/promises';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  formatKafkaStorage,
  freePort,
  infraSettings,
  kafkaJava,
  kafkaServerProperties,
} from '@healstream/infra';

const run = promisify(execFile);

/** The certificates of a test: one CA, a server certificate for 127.0.0.1 and a client one. */
export interface TestCertificates {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** PKCS12 keystore (server key + chain) and truststore (the CA), made with openssl/keytool. */
  keystore: string;
  truststore: string;
  storePassword: string;
}

async function signed(dir: string, name: string, subject: string, ext: string): Promise<void> {
  const file = (suffix: string) => join(dir, `${name}.${suffix}`);
  writeFileSync(file('ext'), `${ext}\n`);
  await run('openssl', [
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    file('key'),
    '-out',
    file('csr'),
    '-subj',
    subject,
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    file('csr'),
    '-CA',
    join(dir, 'ca.pem'),
    '-CAkey',
    join(dir, 'ca.key'),
    '-CAcreateserial',
    '-out',
    file('pem'),
    '-days',
    '2',
    '-extfile',
    file('ext'),
  ]);
}

/** Generates a private CA and the certificates a test broker and its clients need. */
export async function makeCertificates(): Promise<TestCertificates> {
  const dir = mkdtempSync(join(tmpdir(), 'healstream-tls-'));
  const storePassword = randomBytes(12).toString('hex');
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    join(dir, 'ca.key'),
    '-out',
    join(dir, 'ca.pem'),
    '-days',
    '2',
    '-subj',
    '/CN=healstream test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await signed(
    dir,
    'server',
    '/CN=127.0.0.1',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth',
  );
  await signed(dir, 'client', '/CN=healstream', 'extendedKeyUsage=clientAuth');
  const keystore = join(dir, 'broker.p12');
  await run('openssl', [
    'pkcs12',
    '-export',
    '-in',
    join(dir, 'server.pem'),
    '-inkey',
    join(dir, 'server.key'),
    '-certfile',
    join(dir, 'ca.pem'),
    '-name',
    'broker',
    '-out',
    keystore,
    '-passout',
    `pass:${storePassword}`,
  ]);
  const truststore = join(dir, 'truststore.p12');
  await run('keytool', [
    '-importcert',
    '-noprompt',
    '-alias',
    'ca',
    '-file',
    join(dir, 'ca.pem'),
    '-keystore',
    truststore,
    '-storetype',
    'PKCS12',
    '-storepass',
    storePassword,
  ]);
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    serverCert: join(dir, 'server.pem'),
    serverKey: join(dir, 'server.key'),
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.key'),
    keystore,
    truststore,
    storePassword,
  };
}

export interface SecuredKafka {
  /** host:port of the SASL_SSL listener (the only one clients are told about). */
  brokers: string;
  username: string;
  password: string;
  logFile: string;
  exited: () => boolean;
  stop(): Promise<void>;
}

/**
 * A private single-node KRaft broker whose client listener is SASL_SSL: one user for
 * SCRAM-SHA-512, SCRAM-SHA-256 and PLAIN, TLS with the test CA and client certificates
 * required. The broker talks to itself over a plaintext listener it tells no client about.
 */
export async function startSecuredKafka(certs: TestCertificates): Promise<SecuredKafka> {
  const [port, internal, controller] = [await freePort(), await freePort(), await freePort()];
  const settings = { ...infraSettings(), kafkaPort: port, controllerPort: controller };
  const username = 'healstream';
  const password = randomBytes(16).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'healstream-secured-kafka-'));
  const config = join(dir, 'server.properties');
  const jaas = (module: string, users = '') =>
    `org.apache.kafka.common.security.${module} required${users};`;
  // The local broker's own properties, with a SASL_SSL client listener instead of PLAINTEXT.
  writeFileSync(
    config,
    kafkaServerProperties(
      settings,
      {
        listeners: `SASL_SSL://127.0.0.1:${port},INTERNAL://127.0.0.1:${internal},CONTROLLER://127.0.0.1:${controller}`,
        'advertised.listeners': `SASL_SSL://127.0.0.1:${port},INTERNAL://127.0.0.1:${internal}`,
        'listener.security.protocol.map':
          'SASL_SSL:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT',
        'inter.broker.listener.name': 'INTERNAL',
        'sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256,PLAIN',
        'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config': jaas('scram.ScramLoginModule'),
        'listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config': jaas('scram.ScramLoginModule'),
        'listener.name.sasl_ssl.plain.sasl.jaas.config': jaas(
          'plain.PlainLoginModule',
          ` user_${username}="${password}"`,
        ),
        'ssl.keystore.location': certs.keystore,
        'ssl.keystore.type': 'PKCS12',
        'ssl.keystore.password': certs.storePassword,
        'ssl.key.password': certs.storePassword,
        'ssl.truststore.location': certs.truststore,
        'ssl.truststore.type': 'PKCS12',
        'ssl.truststore.password': certs.storePassword,
        'ssl.client.auth': 'required',
        'offsets.topic.num.partitions': '3',
        'transaction.state.log.num.partitions': '3',
      },
      join(dir, 'data'),
    ),
  );
  await formatKafkaStorage(settings, config, [
    '--add-scram',
    `SCRAM-SHA-512=[name=${username},password=${password}]`,
    '--add-scram',
    `SCRAM-SHA-256=[name=${username},password=${password}]`,
  ]);
  const java = kafkaJava(settings);
  const logFile = join(dir, 'kafka.log');
  const fd = openSync(logFile, 'a');
  const child = spawn(settings.java, ['-Xmx384m', '-Xms384m', ...java, 'kafka.Kafka', config], {
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  let gone = false;
  const exited = new Promise<void>((resolve) => child.on('exit', () => ((gone = true), resolve())));
  return {
    brokers: `127.0.0.1:${port}`,
    username,
    password,
    logFile,
    exited: () => gone,
    stop: async () => {
      if (!gone) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(15_000)]);
        if (!gone) child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The last lines of the broker's log, for a failure message. */
export function logTail(kafka: SecuredKafka, lines = 30): string {
  try {
    return readFileSync(kafka.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
