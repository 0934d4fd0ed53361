import type { ContainerInspect, ContainerSummary } from './docker-engine.js';

export type { ContainerInspect } from './docker-engine.js';

/** On containers healstream created: the idempotency key of the action that created them. */
export const CREATED_BY_LABEL = 'healstream.created-by';
/** On replicas: the container they copy. */
export const REPLICA_OF_LABEL = 'healstream.replica-of';
/** On a container: the image to roll back to. Set by your deploy, and by a rollback to the image it replaced. */
export const PREVIOUS_IMAGE_LABEL = 'healstream.previous-image';

export const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
export const q = encodeURIComponent;

/** A container's name without the engine's leading slash. */
export const containerName = (c: ContainerInspect) => c.Name.replace(/^\//, '');

/** One Engine API call of an action: its signal and description are bound. */
export type Call = (
  method: string,
  path: string,
  what: string,
  extra?: { body?: unknown; ok?: number[] },
) => Promise<{ status: number; body: unknown }>;

/** Every container (running or not) labelled as a replica of `name`. */
export async function replicasOf(call: Call, name: string): Promise<ContainerSummary[]> {
  const filters = JSON.stringify({ label: [`${REPLICA_OF_LABEL}=${name}`] });
  const { body } = await call(
    'GET',
    `/containers/json?all=true&filters=${q(filters)}`,
    `list replicas of ${name}`,
  );
  return body as ContainerSummary[];
}

/** The create body of a container like `c`: its config and host config, on its primary network with its aliases. */
export function createBody(
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
