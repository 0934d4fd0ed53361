import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadTargets } from '@healstream/agent';
import { compiledEntry, runCli, SERVICE_ENV, SERVICE_NODE_FLAGS, SERVICES } from '@healstream/cli';
import { loadComponents, loadPolicyDir } from '@healstream/core';
import { detectorEnvSchema } from '@healstream/detector';
import { escalatorEnvSchema } from '@healstream/escalator';
import { executorEnvSchema } from '@healstream/action-executor';
import { evaluatorEnvSchema } from '@healstream/policy-evaluator';
import { KAFKA_VERSION, REGISTRY_VERSION, infraSettings } from '@healstream/infra';
import { ingestEnvSchema } from '@healstream/ingest';
import { baseEnvSchema, loadConfig } from '@healstream/runtime';

// No Docker engine runs here, so the compose file is checked for what it must say, not run.
describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(`${infraSettings().repoRoot}/docker-compose.yml`, 'utf8')) as {
    services: Record<
      string,
      { image?: string; environment?: Record<string, unknown>; ports?: string[] }
    >;
  };

  it('runs the same Kafka as the embedded default, set up for transactions on one node', () => {
    const kafka = compose.services['kafka'];
    expect(kafka?.image).toBe(`apache/kafka:${KAFKA_VERSION}`);
    expect(kafka?.environment?.['KAFKA_PROCESS_ROLES']).toBe('broker,controller');
    expect(kafka?.environment?.['KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR']).toBe(1);
    expect(kafka?.environment?.['KAFKA_TRANSACTION_STATE_LOG_MIN_ISR']).toBe(1);
    expect(kafka?.ports).toContain('9092:9092');
  });

  it('runs the same registry, on the port the services expect', () => {
    const registry = compose.services['registry'];
    expect(registry?.image).toBe(`apicurio/apicurio-registry:${REGISTRY_VERSION}`);
    expect(registry?.ports).toContain('8081:8080');
  });
});

describe('docker-compose.yml services', () => {
  const compose = parse(readFileSync(`${infraSettings().repoRoot}/docker-compose.yml`, 'utf8'), {
    merge: true,
  }) as {
    services: Record<
      string,
      {
        command?: string[];
        environment?: Record<string, string>;
        depends_on?: Record<string, unknown>;
      }
    >;
  };

  it('runs each of the five services compiled, after the topics exist', () => {
    for (const name of [
      'detector',
      'diagnoser',
      'policy-evaluator',
      'action-executor',
      'escalator',
    ]) {
      const service = compose.services[name];
      expect(service?.command).toEqual(['node', ...SERVICE_NODE_FLAGS, compiledEntry(name)]);
      expect(service?.environment?.['KAFKA_BROKERS']).toBe('kafka:19092');
      expect(service?.environment?.['SCHEMA_REGISTRY_URL']).toBe(
        'http://registry:8080/apis/ccompat/v7',
      );
      expect(Object.keys(service?.depends_on ?? {})).toContain('topics');
    }
    expect(compose.services['topics']?.command).toContain('create');
  });
});

// The rest of the file is read the way Docker would use it: every container's command runs a
// file the image holds, its environment passes its own service's configuration schema, and
// each address it is given reaches the service meant. What only a Docker engine can show (the
// stack healing the fleet) is not tested here.
describe('docker-compose.yml wiring', () => {
  const root = infraSettings().repoRoot;
  type Service = {
    build?: string;
    image?: string;
    command?: string[];
    environment?: Record<string, string>;
    depends_on?: Record<string, { condition: string }>;
    ports?: string[];
    network_mode?: string;
    volumes?: string[];
  };
  const services = (
    parse(readFileSync(`${root}/docker-compose.yml`, 'utf8'), { merge: true }) as {
      services: Record<string, Service>;
    }
  ).services;
  const ours = Object.entries(services).filter(([, s]) => s.build === '.');
  const copied = [
    ...readFileSync(`${root}/Dockerfile`, 'utf8').matchAll(/^COPY (.+) \S+$/gm),
  ].flatMap((m) => m[1]!.split(' '));
  const inImage = (path: string) =>
    existsSync(join(root, path)) && copied.some((c) => path === c || path.startsWith(`${c}/`));
  // dist/ is not copied but written in the image, by the build, from sources the image holds.
  const dockerfile = readFileSync(`${root}/Dockerfile`, 'utf8');
  const builtInImage = (entry: string) => {
    const service = /^dist\/services\/([a-z-]+)\.js$/.exec(entry)?.[1];
    const source =
      entry === 'dist/cli/main.js'
        ? 'packages/cli/src/main.ts'
        : service && `services/${service}/src/main.ts`;
    return (
      !!source &&
      inImage(source) &&
      inImage('scripts/build.ts') &&
      /^RUN node scripts\/build\.ts$/m.test(dockerfile)
    );
  };

  it('gives every container the environment and flags compiled services run with', () => {
    for (const [name, value] of Object.entries(SERVICE_ENV))
      expect(dockerfile).toMatch(new RegExp(`^ENV ${name}=${value}$`, 'm'));
    const cmd = /^CMD (.+)$/m.exec(dockerfile)?.[1];
    expect(JSON.parse(cmd ?? '[]')).toEqual([
      'node',
      ...SERVICE_NODE_FLAGS,
      compiledEntry('detector'),
    ]);
  });

  it('runs Kafka, the registry, Alertmanager, the five services, the agent, ingest and the fleet', () => {
    expect(Object.keys(services).sort()).toEqual(
      [
        'kafka',
        'registry',
        'alertmanager',
        'topics',
        'fleet',
        ...SERVICES,
        'agent',
        'ingest',
      ].sort(),
    );
  });

  it('starts every container from a file the image holds, with a command the CLI knows', async () => {
    for (const [name, s] of ours) {
      const [node, ...rest] = s.command ?? [];
      const flags = rest.slice(0, SERVICE_NODE_FLAGS.length);
      const [entry, ...args] = rest.slice(SERVICE_NODE_FLAGS.length);
      expect([node, ...flags], name).toEqual(['node', ...SERVICE_NODE_FLAGS]);
      expect(builtInImage(entry!), `${name}: ${entry}`).toBe(true);
      if (entry === 'dist/cli/main.js') {
        const help = await runCli([...args, '--help'], {
          out: () => {},
          err: () => {},
          cwd: root,
          env: {},
        });
        expect(help, `${name}: healstream ${args.join(' ')}`).toBe(0);
      }
      for (const [i, arg] of args.entries())
        if (['--targets', '--components'].includes(args[i - 1] ?? ''))
          expect(inImage(arg), arg).toBe(true);
    }
  });

  it('gives each service an environment its own configuration accepts, naming files the image has', () => {
    const schemas: Record<string, Parameters<typeof loadConfig>[0]> = {
      detector: detectorEnvSchema,
      diagnoser: baseEnvSchema,
      'policy-evaluator': evaluatorEnvSchema,
      'action-executor': executorEnvSchema,
      escalator: escalatorEnvSchema,
      ingest: ingestEnvSchema,
      agent: baseEnvSchema,
      topics: baseEnvSchema,
    };
    for (const [name, schema] of Object.entries(schemas)) {
      const env = services[name]?.environment ?? {};
      expect(() => loadConfig(schema, env), name).not.toThrow();
      for (const key of ['COMPONENTS_FILE', 'ESCALATOR_COMPONENTS_FILE', 'POLICIES_DIR'])
        if (env[key]) expect(inImage(env[key]), `${name} ${key}=${env[key]}`).toBe(true);
    }
    const evaluator = services['policy-evaluator']!.environment!;
    const components = loadComponents(join(root, evaluator['COMPONENTS_FILE']!));
    expect(
      loadPolicyDir(join(root, evaluator['POLICIES_DIR']!), { actions: components.actions }).length,
    ).toBeGreaterThan(0);
  });

  it('points every address at the service that answers it', () => {
    const fleetArgs = services['fleet']!.command!;
    const supervisorPort = fleetArgs[fleetArgs.indexOf('--port') + 1];
    for (const name of ['action-executor', 'agent'])
      expect(services[name]?.network_mode).toBe('service:fleet');
    // In the fleet's network, 127.0.0.1 is the supervisor and its members.
    expect(services['action-executor']!.environment!['FLEET_SUPERVISOR_URL']).toBe(
      `http://127.0.0.1:${supervisorPort}`,
    );
    // The executor carries the token the supervisor requires.
    expect(services['action-executor']!.environment!['FLEET_SUPERVISOR_TOKEN']).toBe(
      services['fleet']!.environment!['HEALSTREAM_FLEET_TOKEN'],
    );
    const members = [...loadComponents(join(root, 'components.yaml')).components.values()].map(
      (c) => ({
        component: c.id,
        url: c.healthCheck!.url.replace(/\/healthz$/, '/metrics'),
      }),
    );
    const agentArgs = services['agent']!.command!;
    const targets = loadTargets(join(root, agentArgs[agentArgs.indexOf('--targets') + 1]!)).targets;
    expect(targets).toEqual(members);
    // The escalator pages the Alertmanager container on the port Alertmanager listens on.
    expect(services['escalator']!.environment!['ESCALATOR_ALERTMANAGER_URL']).toBe(
      'http://alertmanager:9093',
    );
    expect(services['alertmanager']!.ports).toContain('9093:9093');
    for (const v of services['alertmanager']!.volumes ?? [])
      expect(existsSync(join(root, v.split(':')[0]!))).toBe(true);
  });

  it('publishes each HTTP port once, on the container whose network serves it', () => {
    const published = Object.values(services).flatMap((s) => s.ports ?? []);
    expect(new Set(published).size).toBe(published.length);
    for (const [name, s] of ours) {
      const port = s.environment?.['HTTP_PORT'];
      if (!port) continue;
      const host = s.network_mode ? services[s.network_mode.replace('service:', '')]! : s;
      expect(host.ports, name).toContain(`${port}:${port}`);
      expect(Object.keys(s.depends_on ?? {}), name).toContain('topics');
    }
  });
});
