/**
 * Contract test of the `kubernetes` executor against a stand-in for the Kubernetes API server:
 * no cluster can run on this machine, so a local node:http server checks each request the way
 * the real apps/v1 and core/v1 APIs define them (method, path, query, content type, bearer
 * token, body) and answers with the objects and Status errors the real server returns. The
 * executor reaches it through a kubeconfig file, as it would a real cluster.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseComponents, type Component } from '@healstream/core';
import { command } from '../fixtures.test-support.js';
import { kubernetesExecutor } from './kubernetes-executor.js';
import type { PlannedAction } from '../plan.js';

const TOKEN = 'stand-in-token';
const NOW = Date.parse('2025-06-01T12:00:00Z');
const UID = 'd7c1a3e0-0000-4000-8000-000000000001';
const DEPLOYMENT_PATH = '/apis/apps/v1/namespaces/shop/deployments/cart';

interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: unknown;
}

const template = (image: string, hash?: string) => ({
  metadata: { labels: { app: 'cart', ...(hash ? { 'pod-template-hash': hash } : {}) } },
  spec: { containers: [{ name: 'cart', image }] },
});

const replicaSet = (revision: number, image: string, hash: string, owner = UID) => ({
  metadata: {
    name: `cart-${hash}`,
    namespace: 'shop',
    labels: { app: 'cart', 'pod-template-hash': hash },
    annotations: {
      'deployment.kubernetes.io/revision': String(revision),
      'deployment.kubernetes.io/desired-replicas': '2',
      'example.com/build': `b${revision}`,
    },
    ownerReferences: [
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: 'cart',
        uid: owner,
        controller: true,
        blockOwnerDeletion: true,
      },
    ],
  },
  spec: {
    replicas: revision === 3 ? 2 : 0,
    selector: { matchLabels: { app: 'cart' } },
    template: template(image, hash),
  },
});

const status = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
});

/** The API server stand-in: one Deployment shop/cart (revision 3, image cart:3, 2 replicas), its ReplicaSets, one ConfigMap. */
async function apiServer() {
  const state = {
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'cart',
        namespace: 'shop',
        uid: UID,
        resourceVersion: '100',
        annotations: {
          'deployment.kubernetes.io/revision': '3',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
        },
      },
      spec: {
        replicas: 2,
        paused: false,
        selector: { matchLabels: { app: 'cart' } },
        template: template('cart:3'),
      } as Record<string, unknown>,
    },
    replicaSets: [
      replicaSet(1, 'cart:1', 'aaa'),
      replicaSet(2, 'cart:2', 'bbb'),
      replicaSet(3, 'cart:3', 'ccc'),
      replicaSet(9, 'cart:other', 'zzz', 'another-owner'),
    ],
    configMap: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cart-switches', namespace: 'shop' },
      data: { unrelated: 'kept' } as Record<string, string>,
    },
    /** Changes the Deployment between the executor's read and its write (an autoscaler, say). */
    raceOnScale: false,
    failWith: 0,
  };
  const seen: Seen[] = [];
  const bump = () =>
    (state.deployment.metadata.resourceVersion = String(
      Number(state.deployment.metadata.resourceVersion) + 1,
    ));
  const scale = () => ({
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: 'cart',
      namespace: 'shop',
      resourceVersion: state.deployment.metadata.resourceVersion,
    },
    spec: { replicas: state.deployment.spec['replicas'] },
    status: { replicas: state.deployment.spec['replicas'], selector: 'app=cart' },
  });
  const handle = (req: IncomingMessage, body: unknown): [number, unknown] => {
    if (req.headers.authorization !== `Bearer ${TOKEN}`)
      return [401, status(401, 'Unauthorized', 'Unauthorized')];
    if (!String(req.headers.accept).includes('application/json'))
      return [406, status(406, 'NotAcceptable', 'only application/json is served here')];
    if (state.failWith)
      return [
        state.failWith,
        status(state.failWith, 'ServiceUnavailable', 'etcdserver: request timed out'),
      ];
    const type = req.headers['content-type'];
    const route = `${req.method} ${req.url}`;
    if (route === `GET ${DEPLOYMENT_PATH}`) {
      const answer = structuredClone(state.deployment);
      if (state.raceOnScale) bump();
      return [200, answer];
    }
    if (route === `PATCH ${DEPLOYMENT_PATH}`) {
      if (type === 'application/strategic-merge-patch+json') {
        const patch = body as {
          metadata?: { resourceVersion?: string; annotations?: Record<string, string> };
          spec?: {
            replicas?: number;
            template?: { metadata?: { annotations?: Record<string, string> } };
          };
        };
        // A resourceVersion in the patch is a precondition, as on the real server.
        const precondition = patch.metadata?.resourceVersion;
        if (
          precondition !== undefined &&
          precondition !== state.deployment.metadata.resourceVersion
        )
          return [
            409,
            status(
              409,
              'Conflict',
              'Operation cannot be fulfilled on deployments.apps "cart": the object has been modified; please apply your changes to the latest version and try again',
            ),
          ];
        if (patch.metadata?.annotations)
          state.deployment.metadata.annotations = {
            ...state.deployment.metadata.annotations,
            ...patch.metadata.annotations,
          };
        if (typeof patch.spec?.replicas === 'number')
          state.deployment.spec['replicas'] = patch.spec.replicas;
        const annotations = patch.spec?.template?.metadata?.annotations;
        if (annotations) {
          const t = state.deployment.spec['template'] as {
            metadata: { annotations?: Record<string, string> };
          };
          t.metadata.annotations = { ...t.metadata.annotations, ...annotations };
        }
      } else if (type === 'application/json-patch+json') {
        for (const op of body as { op: string; path: string; value: unknown }[]) {
          if (op.op !== 'replace') return [422, status(422, 'Invalid', `unexpected op ${op.op}`)];
          if (op.path === '/spec/template') state.deployment.spec['template'] = op.value;
          else if (op.path === '/metadata/annotations')
            state.deployment.metadata.annotations =
              op.value as typeof state.deployment.metadata.annotations;
          else return [422, status(422, 'Invalid', `unexpected path ${op.path}`)];
        }
      } else
        return [
          415,
          status(
            415,
            'UnsupportedMediaType',
            `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
          ),
        ];
      bump();
      return [200, state.deployment];
    }
    if (route === `GET ${DEPLOYMENT_PATH}/scale`) {
      const answer = scale();
      if (state.raceOnScale) bump();
      return [200, answer];
    }
    if (route === `PUT ${DEPLOYMENT_PATH}/scale`) {
      const s = body as {
        kind?: string;
        apiVersion?: string;
        metadata?: { resourceVersion?: string };
        spec?: { replicas?: number };
      };
      if (
        s.kind !== 'Scale' ||
        s.apiVersion !== 'autoscaling/v1' ||
        typeof s.spec?.replicas !== 'number'
      )
        return [400, status(400, 'BadRequest', 'not a Scale')];
      if (s.metadata?.resourceVersion !== state.deployment.metadata.resourceVersion) {
        return [
          409,
          status(
            409,
            'Conflict',
            'Operation cannot be fulfilled on deployments.apps "cart": the object has been modified; please apply your changes to the latest version and try again',
          ),
        ];
      }
      state.deployment.spec['replicas'] = s.spec.replicas;
      bump();
      return [200, scale()];
    }
    if (
      route ===
      `GET /apis/apps/v1/namespaces/shop/replicasets?labelSelector=${encodeURIComponent('app=cart')}`
    ) {
      return [
        200,
        {
          kind: 'ReplicaSetList',
          apiVersion: 'apps/v1',
          metadata: { resourceVersion: '120' },
          items: state.replicaSets,
        },
      ];
    }
    if (route === 'PATCH /api/v1/namespaces/shop/configmaps/cart-switches') {
      if (type !== 'application/merge-patch+json')
        return [415, status(415, 'UnsupportedMediaType', 'expected a merge patch here')];
      const data = (body as { data: Record<string, string | null> }).data;
      for (const [k, v] of Object.entries(data))
        if (v === null) delete state.configMap.data[k];
        else state.configMap.data[k] = v;
      return [200, state.configMap];
    }
    return [
      404,
      status(404, 'NotFound', `the server could not find the requested resource (${route})`),
    ];
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const body: unknown = text ? JSON.parse(text) : undefined;
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        body,
      });
      const [code, answer] = handle(req, body);
      res.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const dir = mkdtempSync(join(tmpdir(), 'healstream-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1
kind: Config
clusters:
  - name: stand-in
    # plain HTTP: the client allows it only with TLS verification off
    cluster: { server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true }
users:
  - name: healstream
    user: { token: ${TOKEN} }
contexts:
  - name: stand-in
    context: { cluster: stand-in, user: healstream, namespace: shop }
current-context: stand-in
`,
  );
  return {
    state,
    seen,
    kubeconfig,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function cart(kubeconfig: string, extra = ''): Component {
  const registry = parseComponents(
    `components:
  cart:
    executor: kubernetes
    target: shop/cart
    allowed_actions: [restart-service, scale-up, rollback-deployment, enable-circuit-breaker, fallback-mode]
    bounds: { max_replicas: 4 }
    options: { kubeconfig: "${kubeconfig}"${extra} }
`,
    'components.yaml',
  );
  return registry.components.get('cart') as Component;
}

const run = (
  component: Component,
  name: string,
  params: Record<string, unknown> = {},
  idempotencyKey = `k-${Math.random()}`,
) => {
  const action: PlannedAction = { name, params, delegated: false, custom: false };
  return kubernetesExecutor().run({
    command: command({ component: 'cart', issuedAt: NOW }),
    component,
    action,
    signal: AbortSignal.timeout(5000),
    idempotencyKey,
  });
};

describe('kubernetes executor (contract, stand-in API server)', () => {
  it('restart-service: a strategic-merge patch of the pod template restartedAt annotation, as kubectl rollout restart', async () => {
    const api = await apiServer();
    await expect(run(cart(api.kubeconfig), 'restart-service', { grace_seconds: 30 })).resolves.toBe(
      'rollout restart of deployment shop/cart (restartedAt 2025-06-01T12:00:00.000Z)',
    );
    expect(api.seen).toEqual([
      {
        method: 'PATCH',
        url: DEPLOYMENT_PATH,
        contentType: 'application/strategic-merge-patch+json',
        body: {
          spec: {
            template: {
              metadata: {
                annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-06-01T12:00:00.000Z' },
              },
            },
          },
        },
      },
    ]);
    expect((api.state.deployment.spec['template'] as { metadata: unknown }).metadata).toEqual({
      labels: { app: 'cart' },
      annotations: { 'kubectl.kubernetes.io/restartedAt': '2025-06-01T12:00:00.000Z' },
    });
  });

  it('scale-up: reads the Deployment and patches replicas + n with its resourceVersion as a precondition', async () => {
    const api = await apiServer();
    await expect(
      run(cart(api.kubeconfig), 'scale-up', { replicas: 2 }, 'cmd-1:scale-up'),
    ).resolves.toBe('scaled deployment shop/cart from 2 to 4 replicas');
    expect(api.seen.map((s) => [s.method, s.url, s.contentType])).toEqual([
      ['GET', DEPLOYMENT_PATH, undefined],
      ['PATCH', DEPLOYMENT_PATH, 'application/strategic-merge-patch+json'],
    ]);
    expect(api.seen[1]?.body).toEqual({
      metadata: {
        resourceVersion: '100',
        annotations: { 'healstream.io/scaled-by': 'cmd-1:scale-up 4' },
      },
      spec: { replicas: 4 },
    });
    expect(api.state.deployment.spec['replicas']).toBe(4);
  });

  it('scale-down: patches replicas − n, never below min_replicas, and a retry removes nothing more', async () => {
    const api = await apiServer();
    const component = cart(api.kubeconfig);
    component.bounds.minReplicas = 1;
    await run(component, 'scale-up', { replicas: 2 }, 'cmd-5:scale-up');
    await expect(run(component, 'scale-down', { replicas: 2 }, 'cmd-6:scale-down')).resolves.toBe(
      'scaled deployment shop/cart down from 4 to 2 replicas',
    );
    await expect(run(component, 'scale-down', { replicas: 2 }, 'cmd-6:scale-down')).resolves.toBe(
      'deployment shop/cart already scaled to 2 replicas by this action',
    );
    // min_replicas 1: a scale-down of 5 stops at 1, and one more changes nothing.
    await run(component, 'scale-down', { replicas: 5 }, 'cmd-7:scale-down');
    expect(api.state.deployment.spec['replicas']).toBe(1);
    await expect(run(component, 'scale-down', {}, 'cmd-8:scale-down')).resolves.toBe(
      'deployment shop/cart runs 1 replicas, at min_replicas 1: nothing to remove',
    );
    expect(api.state.deployment.spec['replicas']).toBe(1);
  });

  it('retries are no-ops: the same scale-up, restart, rollback and switch run twice change nothing more', async () => {
    const api = await apiServer();
    const component = cart(api.kubeconfig, ', config_map: cart-switches');
    await run(component, 'scale-up', { replicas: 1 }, 'cmd-2:scale-up');
    await expect(run(component, 'scale-up', { replicas: 1 }, 'cmd-2:scale-up')).resolves.toBe(
      'deployment shop/cart already scaled to 3 replicas by this action',
    );
    expect(api.state.deployment.spec['replicas']).toBe(3);
    // Another command's scale-up is a new one.
    await run(component, 'scale-up', { replicas: 1 }, 'cmd-3:scale-up');
    expect(api.state.deployment.spec['replicas']).toBe(4);

    await run(component, 'restart-service', {}, 'cmd-4:restart-service');
    const afterRestart = structuredClone(api.state.deployment.spec['template']);
    await run(component, 'restart-service', {}, 'cmd-4:restart-service');
    expect(api.state.deployment.spec['template']).toEqual(afterRestart);

    await expect(run(component, 'rollback-deployment', {}, 'cmd-5:rollback')).resolves.toBe(
      'rolled back deployment shop/cart to revision 2',
    );
    // The stand-in has no controller: what it would do after the undo, a revision 4 from 2.
    api.state.deployment.metadata.annotations['deployment.kubernetes.io/revision'] = '4';
    api.state.replicaSets = api.state.replicaSets.map((rs) =>
      rs.metadata.name === 'cart-bbb'
        ? {
            ...rs,
            metadata: {
              ...rs.metadata,
              annotations: { ...rs.metadata.annotations, 'deployment.kubernetes.io/revision': '4' },
            },
          }
        : rs,
    );
    // "The one before the newest" is now revision 3, the bad one; the retry keeps revision 2.
    await expect(run(component, 'rollback-deployment', {}, 'cmd-5:rollback')).resolves.toMatch(
      'deployment shop/cart already runs the template of revision 4; nothing to roll back',
    );
    expect((api.state.deployment.spec['template'] as { spec: unknown }).spec).toEqual(
      template('cart:2').spec,
    );

    await run(component, 'fallback-mode', { duration_seconds: 300 }, 'cmd-6:fallback-mode');
    await run(component, 'fallback-mode', { duration_seconds: 300 }, 'cmd-6:fallback-mode');
    expect(api.state.configMap.data['fallback-mode']).toBe('2025-06-01T12:05:00.000Z');
  });

  it('scale-up: refuses beyond max_replicas without writing', async () => {
    const api = await apiServer();
    api.state.deployment.spec['replicas'] = 3;
    await expect(run(cart(api.kubeconfig), 'scale-up', { replicas: 2 })).rejects.toMatchObject({
      retriable: false,
      code: 'PARAMS_OUT_OF_BOUNDS',
      message: 'scale-up of deployment shop/cart to 5 replicas refused: max_replicas is 4 (now 3)',
    });
    expect(api.seen.map((s) => s.method)).toEqual(['GET']);
  });

  it('scale-up: a concurrent change answers 409 Conflict, which is retriable', async () => {
    const api = await apiServer();
    api.state.raceOnScale = true;
    await expect(run(cart(api.kubeconfig), 'scale-up', { replicas: 1 })).rejects.toMatchObject({
      retriable: true,
      message: expect.stringContaining(
        'API server answered 409: Operation cannot be fulfilled on deployments.apps "cart"',
      ) as unknown,
    });
    expect(api.state.deployment.spec['replicas']).toBe(2);
  });

  it('rollback-deployment: the previous revision of the ReplicaSets the Deployment owns, as kubectl rollout undo', async () => {
    const api = await apiServer();
    await expect(run(cart(api.kubeconfig), 'rollback-deployment', {}, 'k')).resolves.toBe(
      'rolled back deployment shop/cart to revision 2',
    );
    expect(api.seen.map((s) => [s.method, s.url, s.contentType])).toEqual([
      ['GET', DEPLOYMENT_PATH, undefined],
      ['GET', '/apis/apps/v1/namespaces/shop/replicasets?labelSelector=app%3Dcart', undefined],
      ['PATCH', DEPLOYMENT_PATH, 'application/json-patch+json'],
    ]);
    expect(api.seen[2]?.body).toEqual([
      { op: 'replace', path: '/spec/template', value: template('cart:2') },
      {
        op: 'replace',
        path: '/metadata/annotations',
        // kept from the Deployment: its revision and last-applied; copied from the ReplicaSet: the rest
        value: {
          'deployment.kubernetes.io/revision': '3',
          'kubectl.kubernetes.io/last-applied-configuration': '{}',
          'example.com/build': 'b2',
          'healstream.io/rolled-back-by': 'k cart-bbb',
        },
      },
    ]);
  });

  it('rollback-deployment: to_version picks that revision; the current template is skipped; a paused Deployment is refused', async () => {
    const api = await apiServer();
    await expect(
      run(cart(api.kubeconfig), 'rollback-deployment', { to_version: '1' }),
    ).resolves.toBe('rolled back deployment shop/cart to revision 1');
    expect((api.state.deployment.spec['template'] as { spec: unknown }).spec).toEqual(
      template('cart:1').spec,
    );
    await expect(
      run(cart(api.kubeconfig), 'rollback-deployment', { to_version: '1' }),
    ).resolves.toBe(
      'deployment shop/cart already runs the template of revision 1; nothing to roll back',
    );
    await expect(
      run(cart(api.kubeconfig), 'rollback-deployment', { to_version: '9' }),
    ).rejects.toMatchObject({ retriable: false, code: 'ROLLBACK_REFUSED' });
    api.state.deployment.spec['paused'] = true;
    const writes = api.seen.filter((s) => s.method === 'PATCH').length;
    await expect(run(cart(api.kubeconfig), 'rollback-deployment')).rejects.toMatchObject({
      retriable: false,
      message: 'deployment cart is paused; resume it before rolling back',
    });
    expect(api.seen.filter((s) => s.method === 'PATCH')).toHaveLength(writes);
  });

  it('enable-circuit-breaker and fallback-mode: a merge patch of the ConfigMap named in options.config_map', async () => {
    const api = await apiServer();
    const component = cart(api.kubeconfig, ', config_map: cart-switches');
    await expect(
      run(component, 'enable-circuit-breaker', { duration_seconds: 60, dependency: 'payments' }),
    ).resolves.toBe(
      'set circuit-breaker.payments=2025-06-01T12:01:00.000Z in configmap shop/cart-switches',
    );
    await run(component, 'fallback-mode', { duration_seconds: 300 });
    expect(api.seen.map((s) => [s.method, s.url, s.contentType, s.body])).toEqual([
      [
        'PATCH',
        '/api/v1/namespaces/shop/configmaps/cart-switches',
        'application/merge-patch+json',
        { data: { 'circuit-breaker.payments': '2025-06-01T12:01:00.000Z' } },
      ],
      [
        'PATCH',
        '/api/v1/namespaces/shop/configmaps/cart-switches',
        'application/merge-patch+json',
        { data: { 'fallback-mode': '2025-06-01T12:05:00.000Z' } },
      ],
    ]);
    expect(api.state.configMap.data).toEqual({
      unrelated: 'kept',
      'circuit-breaker.payments': '2025-06-01T12:01:00.000Z',
      'fallback-mode': '2025-06-01T12:05:00.000Z',
    });
    await expect(
      run(cart(api.kubeconfig), 'fallback-mode', { duration_seconds: 300 }),
    ).rejects.toMatchObject({ retriable: false, code: 'UNSUPPORTED_ACTION' });
  });

  it('maps answers to retry decisions: 404 is final, 503 and an unreachable server are retried', async () => {
    const api = await apiServer();
    const missing = parseComponents(
      `components:\n  gone:\n    executor: kubernetes\n    target: gone\n    allowed_actions: [restart-service]\n    options: { kubeconfig: "${api.kubeconfig}" }\n`,
      'c.yaml',
    ).components.get('gone') as Component;
    // target without a namespace: the kubeconfig context's namespace (shop)
    await expect(run(missing, 'restart-service')).rejects.toMatchObject({
      retriable: false,
      message: expect.stringContaining(
        'restart deployment shop/gone: API server answered 404',
      ) as unknown,
    });
    expect(api.seen.at(-1)?.url).toBe('/apis/apps/v1/namespaces/shop/deployments/gone');
    api.state.failWith = 503;
    await expect(run(cart(api.kubeconfig), 'restart-service')).rejects.toMatchObject({
      retriable: true,
      message: expect.stringContaining('503: etcdserver: request timed out') as unknown,
    });
    await api.close();
    await expect(run(cart(api.kubeconfig), 'restart-service')).rejects.toMatchObject({
      retriable: true,
      message: expect.stringContaining('API server unreachable') as unknown,
    });
  });
});
