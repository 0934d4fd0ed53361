import type { Component } from '@healstream/core';
import type * as KubernetesApi from './kubernetes-api.js';
import type { Cluster } from './kubernetes-api.js';
import { planRollback, selectorString } from './kubernetes-rollback.js';
import { ExecutorError, type ActionCall, type ActionExecutor } from './types.js';

export const RESTARTED_AT = 'kubectl.kubernetes.io/restartedAt';
/** On the Deployment: `<idempotency key> <replicas>` of the last scale-up or -down healstream made. */
export const SCALED_BY = 'healstream.io/scaled-by';
/** On the Deployment: `<idempotency key> <replica set>` of the last rollback healstream made. */
export const ROLLED_BACK_BY = 'healstream.io/rolled-back-by';

/**
 * The official client is megabytes of JavaScript (a sixth of the executor's bundle, and ~10 MiB
 * of heap once loaded): it is loaded when a kubernetes component first acts, so an executor
 * whose fleet has none never holds it.
 */
let api: Promise<typeof KubernetesApi> | undefined;
const kubernetesApi = () => (api ??= import('./kubernetes-api.js'));

/** What `<key> <value>` recorded for this very action (a retry of it), else undefined. */
const recordedFor = (
  annotations: Record<string, string> | undefined,
  name: string,
  key: string,
) => {
  const [k, value] = (annotations?.[name] ?? '').split(' ');
  return k === key && value ? value : undefined;
};

export interface KubernetesExecutorOptions {
  /** Builds the clients of a kubeconfig path (undefined: the default loading). Tests may pass their own. */
  load?: (kubeconfig: string | undefined) => Cluster;
}

const kubeconfigOf = (component: Component) =>
  typeof component.options['kubeconfig'] === 'string' ? component.options['kubeconfig'] : undefined;

/**
 * The `kubernetes` executor, on the official client. The component's `target` is
 * `namespace/deployment` (or `deployment` with options.namespace); options.kubeconfig names a
 * kubeconfig file, else KUBECONFIG, ~/.kube/config or the in-cluster service account is used.
 *
 * - restart-service: what `kubectl rollout restart` does, a strategic-merge patch of the pod
 *   template annotation kubectl.kubernetes.io/restartedAt (grace_seconds is the pod's own
 *   terminationGracePeriodSeconds here, so it is not used).
 * - scale-up: reads the Deployment and patches spec.replicas to current + n, with the
 *   resourceVersion it read as a precondition (a concurrent change answers 409 and the attempt
 *   is retried) and the target recorded in the healstream.io/scaled-by annotation, so a retry of
 *   the same action scales to the same count; refused beyond max_replicas.
 * - scale-down: the same, to current − n, never below min_replicas (default 1).
 * - rollback-deployment: what `kubectl rollout undo [--to-revision=to_version]` does; the
 *   revision chosen is recorded (healstream.io/rolled-back-by) and a retry keeps it.
 * Every time in a write comes from the command (issuedAt), never the clock: retries are no-ops.
 * - enable-circuit-breaker, fallback-mode: a merge patch of the ConfigMap named in
 *   options.config_map (see switchPatch); the application watches or mounts it.
 */
export function kubernetesExecutor(options: KubernetesExecutorOptions = {}): ActionExecutor {
  const clusters = new Map<string, Cluster>();
  const clusterOf = (
    component: Component,
    load: (kubeconfig: string | undefined) => Cluster,
  ): Cluster => {
    const path = kubeconfigOf(component);
    const key = path ?? '';
    let cluster = clusters.get(key);
    if (!cluster) {
      cluster = load(path);
      clusters.set(key, cluster);
    }
    return cluster;
  };
  return {
    kind: 'kubernetes',
    target: (component) => `kubernetes:${kubeconfigOf(component) ?? 'default'}`,
    async run({ command, component, action, signal, idempotencyKey }: ActionCall): Promise<string> {
      const { asExecutorError, deploymentOf, loadCluster, requestOptions, PatchStrategy } =
        await kubernetesApi();
      const cluster = clusterOf(component, options.load ?? loadCluster);
      const { namespace, name } = deploymentOf(component, cluster.namespace);
      const where = `deployment ${namespace}/${name}`;
      const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
        try {
          return await fn();
        } catch (error) {
          throw asExecutorError(error, `${what} ${where}`, signal);
        }
      };
      const { apps, core } = cluster;
      /** The Deployment, its replicas, and the count this action recorded on it, if any. */
      const readScale = async () => {
        const deployment = await call('read', () =>
          apps.readNamespacedDeployment({ name, namespace }, requestOptions(signal)),
        );
        const current = deployment.spec?.replicas ?? 0;
        const mark = recordedFor(deployment.metadata?.annotations, SCALED_BY, idempotencyKey);
        const recorded = mark !== undefined && /^\d+$/.test(mark) ? Number(mark) : undefined;
        return { deployment, current, recorded };
      };
      /** Sets the replicas and records them for this action in the same write. */
      const writeScale = (
        deployment: Awaited<ReturnType<typeof readScale>>['deployment'],
        wanted: number,
      ) =>
        call('scale', () =>
          apps.patchNamespacedDeployment(
            {
              name,
              namespace,
              body: {
                metadata: {
                  // A precondition: a concurrent change answers 409 and the attempt is retried.
                  resourceVersion: deployment.metadata?.resourceVersion,
                  annotations: { [SCALED_BY]: `${idempotencyKey} ${wanted}` },
                },
                spec: { replicas: wanted },
              },
            },
            requestOptions(signal, PatchStrategy.StrategicMergePatch),
          ),
        );
      switch (action.name) {
        case 'restart-service': {
          // From the command, not the clock: a retry of the same action patches the same
          // template, which starts no second rollout.
          const at = new Date(command.issuedAt).toISOString();
          const body = {
            spec: { template: { metadata: { annotations: { [RESTARTED_AT]: at } } } },
          };
          await call('restart', () =>
            apps.patchNamespacedDeployment(
              { name, namespace, body },
              requestOptions(signal, PatchStrategy.StrategicMergePatch),
            ),
          );
          return `rollout restart of ${where} (restartedAt ${at})`;
        }
        case 'scale-up': {
          // An absolute target, recorded on the Deployment in the same write: a retry of this
          // action (its first attempt may have landed) scales to the same count, not n more.
          const { deployment, current, recorded } = await readScale();
          if (recorded !== undefined && recorded === current)
            return `${where} already scaled to ${current} replicas by this action`;
          const wanted = recorded ?? current + Number(action.params['replicas'] ?? 1);
          const max = component.bounds.maxReplicas;
          if (max !== null && wanted > max) {
            throw new ExecutorError(
              `scale-up of ${where} to ${wanted} replicas refused: max_replicas is ${max} (now ${current})`,
              false,
              'PARAMS_OUT_OF_BOUNDS',
            );
          }
          await writeScale(deployment, wanted);
          return `scaled ${where} from ${current} to ${wanted} replicas`;
        }
        case 'scale-down': {
          // As scale-up: an absolute target recorded in the same write, so a retry never
          // removes n more; never below min_replicas (default 1).
          const { deployment, current, recorded } = await readScale();
          if (recorded !== undefined && recorded === current)
            return `${where} already scaled to ${current} replicas by this action`;
          const floor = Math.max(1, component.bounds.minReplicas ?? 1);
          const wanted =
            recorded ?? Math.max(floor, current - Number(action.params['replicas'] ?? 1));
          if (wanted >= current)
            return `${where} runs ${current} replicas, at min_replicas ${floor}: nothing to remove`;
          await writeScale(deployment, wanted);
          return `scaled ${where} down from ${current} to ${wanted} replicas`;
        }
        case 'rollback-deployment': {
          const deployment = await call('read', () =>
            apps.readNamespacedDeployment({ name, namespace }, requestOptions(signal)),
          );
          const selector = deployment.spec?.selector;
          const list = await call('list replica sets of', () =>
            apps.listNamespacedReplicaSet(
              { namespace, labelSelector: selectorString(selector) },
              requestOptions(signal),
            ),
          );
          // A retry of this action keeps the revision its first attempt chose: after a
          // successful undo, "the one before the newest" is the bad one again.
          const pinned = recordedFor(
            deployment.metadata?.annotations,
            ROLLED_BACK_BY,
            idempotencyKey,
          );
          const raw = action.params['to_version'];
          const toRevision = raw === undefined ? undefined : Number(raw);
          if (toRevision !== undefined && !(Number.isInteger(toRevision) && toRevision > 0)) {
            throw new ExecutorError(
              `to_version '${String(raw)}' is not a revision number of ${where}`,
              false,
              'PARAMS_OUT_OF_BOUNDS',
            );
          }
          const plan = planRollback(deployment, list.items, toRevision, pinned);
          if (plan.kind === 'skip')
            return `${where} already runs the template of revision ${plan.revision}; nothing to roll back`;
          const patch = plan.patch.map((op) =>
            op['path'] === '/metadata/annotations'
              ? {
                  ...op,
                  value: {
                    ...(op['value'] as Record<string, string>),
                    [ROLLED_BACK_BY]: `${idempotencyKey} ${plan.replicaSet}`,
                  },
                }
              : op,
          );
          await call('roll back', () =>
            apps.patchNamespacedDeployment(
              { name, namespace, body: patch },
              requestOptions(signal, PatchStrategy.JsonPatch),
            ),
          );
          return `rolled back ${where} to revision ${plan.revision}`;
        }
        case 'enable-circuit-breaker':
        case 'fallback-mode': {
          const configMap = component.options['config_map'];
          if (typeof configMap !== 'string' || configMap === '') {
            throw new ExecutorError(
              `${action.name} on kubernetes component '${component.id}' needs options.config_map (the ConfigMap the application reads its switches from)`,
              false,
              'UNSUPPORTED_ACTION',
            );
          }
          // Timed from the command: a retry sets the same end, not a later one.
          const data = switchPatch(action.name, action.params, command.issuedAt);
          await call(`${action.name} via configmap ${configMap} of`, () =>
            core.patchNamespacedConfigMap(
              { name: configMap, namespace, body: { data } },
              requestOptions(signal, PatchStrategy.MergePatch),
            ),
          );
          return `set ${Object.entries(data)
            .map(([k, v]) => `${k}=${v}`)
            .join(', ')} in configmap ${namespace}/${configMap}`;
        }
        default:
          throw new ExecutorError(
            `the kubernetes executor has no operation for '${action.name}'`,
            false,
            'UNSUPPORTED_ACTION',
          );
      }
    },
  };
}

/**
 * The ConfigMap keys a switch sets: `circuit-breaker.<dependency, or all>` or `fallback-mode`,
 * valued with the RFC 3339 time it ends. The application treats a key whose time is in the
 * future as on; nothing needs to switch it off.
 */
export function switchPatch(
  action: string,
  params: Record<string, unknown>,
  now: number,
): Record<string, string> {
  const until = (seconds: unknown) => new Date(now + Number(seconds) * 1000).toISOString();
  if (action === 'enable-circuit-breaker') {
    // ConfigMap keys hold letters, digits, '-', '_' and '.' only.
    const dependency =
      typeof params['dependency'] === 'string'
        ? params['dependency'].replace(/[^-._a-zA-Z0-9]/g, '-')
        : 'all';
    return { [`circuit-breaker.${dependency}`]: until(params['duration_seconds'] ?? 60) };
  }
  return { 'fallback-mode': until(params['duration_seconds'] ?? 300) };
}
