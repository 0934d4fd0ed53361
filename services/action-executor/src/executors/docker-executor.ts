import type { Component } from '@healstream/core';
import { DEFAULT_API_VERSION, DEFAULT_SOCKET, DockerEngine } from './docker-engine.js';
import {
  CREATED_BY_LABEL,
  REPLICA_OF_LABEL,
  containerName,
  createBody,
  q,
  replicasOf,
  str,
  type ContainerInspect,
} from './docker-containers.js';
import { rollback } from './docker-rollback.js';
import { ExecutorError, type ActionCall, type ActionExecutor } from './types.js';

/**
 * The `docker` executor, on the Engine API over its unix socket (options.socket, else
 * /var/run/docker.sock; options.api_version, else v1.43). The component's `target` is a
 * container name or id.
 *
 * - restart-service: POST /containers/{id}/restart?t=grace_seconds.
 * - scale-up: copies the container into new ones named `<name>-replica-<n>`, labelled
 *   healstream.replica-of=<name>, same config and host config but free host ports; running
 *   copies count toward max_replicas (the original is one), and a scale-up beyond is refused.
 * - scale-down: removes (force) the newest running copies, never the original and never
 *   below min_replicas; a copy already gone counts as removed.
 * - rollback-deployment: recreates the container under its name with the previous image:
 *   to_version, else its healstream.previous-image label, else options.previous_image (the
 *   image must be present on the host). The old container is stopped and renamed, then removed
 *   once the new one started; if the new one cannot be created or started, the old is restored.
 * - enable-circuit-breaker, fallback-mode: no Docker equivalent; refused (use an http or
 *   process component, or a custom action, for those).
 */
export function dockerExecutor(options: { now?: () => number } = {}): ActionExecutor {
  const now = options.now ?? Date.now;
  const engineOf = (component: Component) =>
    new DockerEngine(
      str(component.options['socket']) ?? DEFAULT_SOCKET,
      str(component.options['api_version']) ?? DEFAULT_API_VERSION,
    );
  return {
    kind: 'docker',
    target: (component) => `docker:${str(component.options['socket']) ?? DEFAULT_SOCKET}`,
    async run({ component, action, signal, idempotencyKey }: ActionCall): Promise<string> {
      const engine = engineOf(component);
      const id = component.target;
      const call = (
        method: string,
        path: string,
        what: string,
        extra: { body?: unknown; ok?: number[] } = {},
      ) => engine.call(method, path, { signal, what, ...extra });
      const inspect = async () =>
        (await call('GET', `/containers/${q(id)}/json`, `inspect container ${id}`))
          .body as ContainerInspect;
      switch (action.name) {
        case 'restart-service': {
          const grace = Number(action.params['grace_seconds'] ?? 30);
          await call('POST', `/containers/${q(id)}/restart?t=${grace}`, `restart container ${id}`);
          return `restarted container ${id} (stop timeout ${grace}s)`;
        }
        case 'scale-up': {
          const original = await inspect();
          const name = containerName(original);
          const replicas = await replicasOf(call, name);
          const running = 1 + replicas.filter((r) => r.State === 'running').length;
          // Copies this very action created on an earlier attempt count toward its n: a retry
          // adds only what is missing, never n more.
          const mine = replicas.filter(
            (r) => r.State === 'running' && r.Labels?.[CREATED_BY_LABEL] === idempotencyKey,
          ).length;
          const wanted = running - mine + Number(action.params['replicas'] ?? 1);
          if (mine > 0 && wanted <= running)
            return `${mine} copies of ${name} already started by this action; ${running} containers running`;
          const max = component.bounds.maxReplicas;
          if (max !== null && wanted > max) {
            throw new ExecutorError(
              `scale-up of ${name} to ${wanted} containers refused: max_replicas is ${max} (now ${running})`,
              false,
              'PARAMS_OUT_OF_BOUNDS',
            );
          }
          const taken = new Set(replicas.flatMap((r) => r.Names.map((n) => n.replace(/^\//, ''))));
          const added: string[] = [];
          for (let n = 1; added.length < wanted - running; n++) {
            const replica = `${name}-replica-${n}`;
            if (taken.has(replica)) continue;
            const { body } = await call(
              'POST',
              `/containers/create?name=${q(replica)}`,
              `create ${replica}`,
              {
                body: createBody(
                  original,
                  original.Config.Image,
                  { [REPLICA_OF_LABEL]: name, [CREATED_BY_LABEL]: idempotencyKey },
                  true,
                ),
              },
            );
            await call(
              'POST',
              `/containers/${q((body as { Id: string }).Id)}/start`,
              `start ${replica}`,
              { ok: [204, 304] },
            );
            added.push(replica);
          }
          return `started ${added.join(', ')}; ${wanted} containers of ${name} running`;
        }
        case 'scale-down': {
          // Only copies healstream made (labelled replica-of) are removed, newest name first;
          // the original container is never touched, and min_replicas (default 1) stay.
          const name = containerName(await inspect());
          const replicas = (await replicasOf(call, name))
            .filter((r) => r.State === 'running')
            .map((r) => ({ id: r.Id, name: (r.Names[0] ?? r.Id).replace(/^\//, '') }))
            .sort((a, b) => b.name.localeCompare(a.name, 'en', { numeric: true }));
          const running = 1 + replicas.length;
          const floor = Math.max(1, component.bounds.minReplicas ?? 1);
          const remove = replicas.slice(
            0,
            Math.max(0, Math.min(Number(action.params['replicas'] ?? 1), running - floor)),
          );
          if (remove.length === 0)
            return `${running} containers of ${name} running, at min_replicas ${floor}: nothing to remove`;
          for (const r of remove)
            await call('DELETE', `/containers/${q(r.id)}?force=true`, `remove ${r.name}`, {
              ok: [204, 404],
            });
          return `removed ${remove.map((r) => r.name).join(', ')}; ${running - remove.length} containers of ${name} running`;
        }
        case 'rollback-deployment':
          return rollback(
            await inspect(),
            component,
            action.params['to_version'],
            call,
            now(),
            idempotencyKey,
          );
        default:
          throw new ExecutorError(
            `the docker executor has no operation for '${action.name}'`,
            false,
            'UNSUPPORTED_ACTION',
          );
      }
    },
  };
}
