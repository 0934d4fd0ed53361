import type { Component } from '@healstream/core';
import {
  DEFAULT_API_VERSION,
  DEFAULT_SOCKET,
  DockerEngine,
  type ContainerInspect,
  type ContainerSummary,
} from './docker-engine.js';
import { ExecutorError, type ActionCall, type ActionExecutor } from './types.js';

/** On containers healstream created: the idempotency key of the action that created them. */
export const CREATED_BY_LABEL = 'healstream.created-by';
/** On replicas: the container they copy. */
export const REPLICA_OF_LABEL = 'healstream.replica-of';
/** On a container: the image to roll back to. Set by your deploy, and by a rollback to the image it replaced. */
export const PREVIOUS_IMAGE_LABEL = 'healstream.previous-image';

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const q = encodeURIComponent;

/** The create body of a container like `c`: its config and host config, on its primary network with its aliases. */
function createBody(
  c: ContainerInspect,
  image: string,
  labels: Record<string, string>,
  ephemeralPorts: boolean,
): Record<string, unknown> {
  const config: Record<string, unknown> = {
    ...c.Config,
    Image: image,
    Labels: { ...c.Config.Labels, ...labels },
  };
  delete config['Hostname']; // the engine sets it to the new container's id
  delete config['MacAddress'];
  const hostConfig: Record<string, unknown> = { ...c.HostConfig };
  if (ephemeralPorts && c.HostConfig.PortBindings) {
    // A replica cannot bind the host ports its original holds: each gets free ones.
    hostConfig['PortBindings'] = Object.fromEntries(
      Object.entries(c.HostConfig.PortBindings).map(([port, bindings]) => [
        port,
        (bindings ?? []).map((b) => ({ HostIp: b.HostIp ?? '', HostPort: '' })),
      ]),
    );
  }
  const network = c.HostConfig.NetworkMode;
  const aliases = network
    ? (c.NetworkSettings?.Networks?.[network]?.Aliases ?? []).filter((a) => !c.Id.startsWith(a))
    : [];
  const networking =
    network && aliases.length > 0
      ? { NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: aliases } } } }
      : {};
  return { ...config, HostConfig: hostConfig, ...networking };
}

/** to_version (an image reference, or a tag of the current image's repository), else the label, else options.previous_image. */
export function previousImage(
  c: ContainerInspect,
  component: Component,
  toVersion: unknown,
): string | undefined {
  const version = str(toVersion);
  if (version) {
    if (/[:@/]/.test(version)) return version; // a tag holds none of these
    const current = c.Config.Image;
    const last = current.slice(current.lastIndexOf('/') + 1);
    const repository = last.includes('@')
      ? current.slice(0, current.lastIndexOf('@'))
      : last.includes(':')
        ? current.slice(0, current.lastIndexOf(':'))
        : current;
    return `${repository}:${version}`;
  }
  return str(c.Config.Labels?.[PREVIOUS_IMAGE_LABEL]) ?? str(component.options['previous_image']);
}

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
          const name = original.Name.replace(/^\//, '');
          const filters = JSON.stringify({ label: [`${REPLICA_OF_LABEL}=${name}`] });
          const replicas = (
            await call(
              'GET',
              `/containers/json?all=true&filters=${q(filters)}`,
              `list replicas of ${name}`,
            )
          ).body as ContainerSummary[];
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
          const original = await inspect();
          const name = original.Name.replace(/^\//, '');
          const filters = JSON.stringify({ label: [`${REPLICA_OF_LABEL}=${name}`] });
          const replicas = (
            (
              await call(
                'GET',
                `/containers/json?all=true&filters=${q(filters)}`,
                `list replicas of ${name}`,
              )
            ).body as ContainerSummary[]
          )
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

type Call = (
  method: string,
  path: string,
  what: string,
  extra?: { body?: unknown; ok?: number[] },
) => Promise<{ status: number; body: unknown }>;

async function rollback(
  old: ContainerInspect,
  component: Component,
  toVersion: unknown,
  call: Call,
  now: number,
  idempotencyKey: string,
): Promise<string> {
  const name = old.Name.replace(/^\//, '');
  // A retry after the first attempt recreated the container: its previous-image label now
  // names the bad image, so rolling back "again" would undo the rollback.
  if (old.Config.Labels?.[CREATED_BY_LABEL] === idempotencyKey)
    return `${name} already recreated from ${old.Config.Image} by this action`;
  const current = old.Config.Image;
  const image = previousImage(old, component, toVersion);
  if (!image) {
    throw new ExecutorError(
      `no previous image for ${name}: give to_version, a ${PREVIOUS_IMAGE_LABEL} label on the container, or options.previous_image`,
      false,
      'ROLLBACK_REFUSED',
    );
  }
  if (image === current) return `${name} already runs ${image}; nothing to roll back`;
  const parked = `${name}-replaced-${now}`;
  await call(
    'POST',
    `/containers/${q(old.Id)}/stop?t=${Number(component.options['stop_timeout'] ?? 10)}`,
    `stop ${name}`,
    { ok: [204, 304] },
  );
  await call(
    'POST',
    `/containers/${q(old.Id)}/rename?name=${q(parked)}`,
    `rename ${name} to ${parked}`,
  );
  let created: string | undefined;
  try {
    const { body } = await call(
      'POST',
      `/containers/create?name=${q(name)}`,
      `create ${name} from ${image}`,
      {
        body: createBody(
          old,
          image,
          { [PREVIOUS_IMAGE_LABEL]: current, [CREATED_BY_LABEL]: idempotencyKey },
          false,
        ),
      },
    );
    created = (body as { Id: string }).Id;
    await call('POST', `/containers/${q(created)}/start`, `start ${name} from ${image}`, {
      ok: [204, 304],
    });
  } catch (error) {
    // Put the old container back under its name and running; the action still fails.
    if (created)
      await call('DELETE', `/containers/${q(created)}?force=true`, `remove the new ${name}`).catch(
        () => undefined,
      );
    await call(
      'POST',
      `/containers/${q(old.Id)}/rename?name=${q(name)}`,
      `rename ${parked} back`,
    ).catch(() => undefined);
    await call('POST', `/containers/${q(old.Id)}/start`, `restart the old ${name}`, {
      ok: [204, 304],
    }).catch(() => undefined);
    throw error;
  }
  await call('DELETE', `/containers/${q(old.Id)}`, `remove ${parked}`);
  return `recreated ${name} from ${image} (was ${current})`;
}
