/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are arbitrary JSON; the assertions are their types */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { topicsFor } from '@healstream/contracts';
import { escalatorInputs } from '@healstream/escalator';
import { infraSettings } from '@healstream/infra';
import { OVERLAYS, manifests, render } from '../deploy/generate.js';
import { WORKLOADS } from '../deploy/services.js';

// Rendered with the kubectl on PATH (scripts/ensure-kubectl.sh installs Debian's when there is
// none), offline, exactly as `kubectl apply -k` would build them.
const root = infraSettings().repoRoot;
type Doc = {
  subjects?: any;
  kind: string;
  metadata: { name: string; namespace?: string };
  spec?: any;
  data?: any;
  rules?: any;
};

function kustomize(dir: string): Doc[] {
  const out = execFileSync('kubectl', ['kustomize', join(root, dir)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return parseAllDocuments(out).map((d) => d.toJS() as Doc);
}

/** Which resource and verb each call of the kubernetes executor needs, read from its source. */
function executorPermissions(): string[] {
  const dir = join(root, 'services/action-executor/src/executors');
  const source = ['kubernetes-executor.ts', 'kubernetes-api.ts', 'kubernetes-rollback.ts']
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
  const verbs: Record<string, string> = {
    read: 'get',
    list: 'list',
    patch: 'patch',
    replace: 'update',
    create: 'create',
    delete: 'delete',
  };
  const groups: Record<string, string> = { apps: 'apps', core: '' };
  const found = new Set<string>();
  for (const m of source.matchAll(
    /\b(apps|core)\.(read|list|patch|replace|create|delete)Namespaced([A-Za-z]+)\(/g,
  )) {
    const [, client, verb, kind] = m as unknown as [string, string, string, string];
    // Kubernetes' plural is the kind in lower case plus s; a Scale or Status suffix is a subresource.
    const sub = /(Scale|Status)$/.exec(kind)?.[1];
    const base = sub ? kind.slice(0, -sub.length) : kind;
    const plural = `${base.toLowerCase()}s${sub ? `/${sub.toLowerCase()}` : ''}`;
    found.add(`${groups[client]}/${plural}:${verbs[verb]}`);
  }
  return [...found].sort();
}

describe('deploy/: generated files', () => {
  it('are what deploy/generate.ts makes of its table (run pnpm generate:deploy)', () => {
    for (const [file, docs] of manifests())
      expect(readFileSync(join(root, file), 'utf8'), file).toBe(render(file, docs));
  });
});

describe.each(Object.keys(OVERLAYS))('kubectl kustomize deploy/overlays/%s', (overlay) => {
  const docs = kustomize(`deploy/overlays/${overlay}`);
  const of = (kind: string) => docs.filter((d) => d.kind === kind);
  const config = of('ConfigMap').find((c) => c.metadata.name.startsWith('healstream-config-'))!;
  const settings = config.data as Record<string, string>;

  it('has a Deployment, a disruption budget and one namespace for every workload', () => {
    expect(
      of('Deployment')
        .map((d) => d.metadata.name)
        .sort(),
    ).toEqual(WORKLOADS.map((w) => `healstream-${w.name}`).sort());
    for (const d of of('Deployment')) {
      const budget = of('PodDisruptionBudget').find((p) => p.metadata.name === d.metadata.name);
      expect(budget?.spec.selector.matchLabels).toEqual(d.spec.selector.matchLabels);
      expect(budget?.spec.maxUnavailable).toBe(1);
    }
    expect(new Set(docs.map((d) => d.metadata.namespace))).toEqual(
      new Set([overlay === 'dev' ? 'healstream-dev' : 'healstream']),
    );
    expect(of('Job').map((j) => j.spec.template.spec.containers[0].command.slice(-2))).toEqual([
      ['topics', 'create'],
    ]);
  });

  it('probes /readyz and /healthz, limits resources and reads its config from ConfigMap and Secret', () => {
    for (const d of of('Deployment')) {
      const pod = d.spec.template.spec;
      const [c] = pod.containers;
      expect(c.readinessProbe.httpGet, d.metadata.name).toEqual({ path: '/readyz', port: 'http' });
      expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      expect(c.startupProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
      for (const kind of ['requests', 'limits']) {
        expect(c.resources[kind].cpu, `${d.metadata.name} ${kind}`).toBeTruthy();
        expect(c.resources[kind].memory).toBeTruthy();
      }
      expect(c.envFrom).toEqual([
        { configMapRef: { name: config.metadata.name } },
        { secretRef: { name: 'healstream-secrets', optional: true } },
      ]);
      const port = c.ports[0].containerPort;
      expect(c.env).toContainEqual({ name: 'HTTP_PORT', value: String(port) });
      expect(d.spec.template.metadata.annotations['prometheus.io/port']).toBe(String(port));
      expect(c.image).toMatch(
        overlay === 'dev' ? /^healstream:dev$/ : /^registry\.example\.com\/healstream:0\.1\.0$/,
      );
      // Every mounted ConfigMap is one the overlay renders (hash suffixes followed).
      for (const v of pod.volumes.filter((x: any) => x.configMap))
        expect(of('ConfigMap').map((m) => m.metadata.name)).toContain(v.configMap.name);
    }
  });

  it('lets only the action-executor reach the Kubernetes API, with exactly the verbs its executor calls', () => {
    const role = of('Role')[0]!;
    const granted = role.rules
      .flatMap((r: any) =>
        r.apiGroups.flatMap((g: string) =>
          r.resources.flatMap((res: string) => r.verbs.map((v: string) => `${g}/${res}:${v}`)),
        ),
      )
      .sort();
    expect(granted).toEqual(executorPermissions());
    expect(executorPermissions()).toContain('apps/deployments:patch');
    expect(of('RoleBinding')[0]?.subjects).toEqual([
      {
        kind: 'ServiceAccount',
        name: 'healstream-action-executor',
        namespace: role.metadata.namespace,
      },
    ]);
    expect(of('ClusterRole')).toEqual([]);
    for (const d of of('Deployment')) {
      const pod = d.spec.template.spec;
      const executor = d.metadata.name === 'healstream-action-executor';
      expect(pod.serviceAccountName).toBe(executor ? 'healstream-action-executor' : 'healstream');
      expect(pod.automountServiceAccountToken).toBe(executor);
    }
  });

  it('scales each consumer on the lag of its group, on every input topic, capped at the partition count', () => {
    const prefix = settings['HEALSTREAM_TOPIC_PREFIX']!;
    const partitions = Number(settings['HEALSTREAM_PARTITIONS']);
    const scaled = of('ScaledObject');
    const consumers = WORKLOADS.filter((w) => w.inputs.length > 0);
    expect(scaled.map((s) => s.metadata.name).sort()).toEqual(
      consumers.map((w) => `healstream-${w.name}`).sort(),
    );
    for (const s of scaled) {
      const w = consumers.find((c) => `healstream-${c.name}` === s.metadata.name)!;
      expect(s.spec.scaleTargetRef.name).toBe(s.metadata.name);
      expect(s.spec.maxReplicaCount).toBe(partitions);
      expect(s.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
      expect(s.spec.triggers.map((t: any) => t.metadata.topic).sort()).toEqual(
        w.inputs.map((t) => `${prefix}${t}`).sort(),
      );
      for (const t of s.spec.triggers) {
        expect(t.type).toBe('kafka');
        expect(t.metadata).toMatchObject({
          bootstrapServers: settings['KAFKA_BROKERS'],
          consumerGroup: `${prefix}${w.name}`,
          allowIdleConsumers: 'false',
          limitToPartitionsWithLag: 'false',
        });
        expect(Number(t.metadata.lagThreshold)).toBeGreaterThan(0);
      }
    }
    // The escalator's triggers are the inputs the escalator really consumes.
    const escalator = scaled.find((s) => s.metadata.name === 'healstream-escalator')!;
    expect(escalator.spec.triggers.map((t: any) => t.metadata.topic).sort()).toEqual(
      escalatorInputs(topicsFor(prefix))
        .map((i) => i.topic)
        .sort(),
    );
  });

  it('runs one agent and puts the ingest endpoint behind a Service', () => {
    expect(
      of('Deployment').find((d) => d.metadata.name === 'healstream-agent')?.spec.replicas,
    ).toBe(1);
    expect(
      of('Deployment').find((d) => d.metadata.name === 'healstream-detector')?.spec.replicas,
    ).toBeUndefined();
    const ingest = of('Service').find((s) => s.metadata.name === 'healstream-ingest');
    expect(ingest?.spec).toMatchObject({
      ports: [{ port: 80, targetPort: 'http' }],
      sessionAffinity: 'ClientIP',
    });
  });
});
