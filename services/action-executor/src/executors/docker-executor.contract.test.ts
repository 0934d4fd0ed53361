/**
 * Contract test of the `docker` executor against a stand-in for the Docker Engine: no engine can
 * run on this machine, so a node:http server on a unix socket in a temp dir checks each request
 * as the Engine API v1.43 defines it (versioned path, method, query, JSON body) and answers as
 * the engine does (status codes, `{"message": ...}` errors, create's `{"Id", "Warnings"}`).
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { parseComponents, type Component } from '@healstream/core';
import type { PlannedAction } from '../plan.js';
import { command } from '../fixtures.test-support.js';
import { dockerExecutor } from './docker-executor.js';

interface Container {
  Id: string;
  Name: string;
  Config: Record<string, unknown> & { Image: string; Labels: Record<string, string> };
  HostConfig: Record<string, unknown>;
  NetworkSettings: { Networks: Record<string, { Aliases: string[] | null }> };
  running: boolean;
}
interface Seen {
  method: string;
  url: string;
  contentType: string | undefined;
  body: unknown;
}

const WEB_ID = 'a1b2c3d4e5f6' + '0'.repeat(52);

async function engine() {
  const images = new Set(['shop/web:2', 'shop/web:3']);
  const containers: Container[] = [
    {
      Id: WEB_ID,
      Name: '/web',
      Config: {
        Hostname: 'a1b2c3d4e5f6',
        Image: 'shop/web:3',
        Env: ['PORT=8080'],
        Cmd: ['node', 'server.js'],
        ExposedPorts: { '8080/tcp': {} },
        Labels: { 'healstream.previous-image': 'shop/web:2', team: 'shop' },
      },
      HostConfig: {
        NetworkMode: 'shop',
        RestartPolicy: { Name: 'unless-stopped' },
        PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '8080' }] },
      },
      NetworkSettings: { Networks: { shop: { Aliases: ['web', 'a1b2c3d4e5f6'] } } },
      running: true,
    },
  ];
  const seen: Seen[] = [];
  let next = 1;
  const find = (ref: string) =>
    containers.find((c) => c.Name === `/${ref}` || c.Id.startsWith(ref));
  const noSuch = (ref: string): [number, unknown] => [
    404,
    { message: `No such container: ${ref}` },
  ];
  const handle = (method: string, url: URL, body: unknown): [number, unknown] => {
    const path = url.pathname;
    if (!path.startsWith('/v1.43/'))
      return [400, { message: 'client version missing from the path' }];
    const route = path.slice('/v1.43'.length);
    let m: RegExpMatchArray | null;
    if (method === 'GET' && route === '/containers/json') {
      const filters = JSON.parse(url.searchParams.get('filters') ?? '{}') as { label?: string[] };
      const all = url.searchParams.get('all') === 'true';
      const matching = containers.filter(
        (c) =>
          (all || c.running) &&
          (filters.label ?? []).every((l) => {
            const [k, v] = l.split('=');
            return k !== undefined && c.Config.Labels[k] === v;
          }),
      );
      return [
        200,
        matching.map((c) => ({
          Id: c.Id,
          Names: [c.Name],
          Image: c.Config.Image,
          Labels: c.Config.Labels,
          State: c.running ? 'running' : 'exited',
        })),
      ];
    }
    if (method === 'POST' && route === '/containers/create') {
      const name = url.searchParams.get('name') ?? '';
      const holder = find(name);
      if (holder && holder.Name === `/${name}`)
        return [
          409,
          {
            message: `Conflict. The container name "/${name}" is already in use by container "${holder.Id}". You have to remove (or rename) that container to be able to reuse that name.`,
          },
        ];
      const spec = body as Record<string, unknown> & {
        Image: string;
        Labels: Record<string, string>;
        HostConfig: Record<string, unknown>;
      };
      if (!images.has(spec.Image)) return [404, { message: `No such image: ${spec.Image}` }];
      const id = `${String(next++).padStart(12, 'f')}${'0'.repeat(52)}`;
      const { HostConfig, NetworkingConfig, ...config } = spec;
      void NetworkingConfig;
      containers.push({
        Id: id,
        Name: `/${name}`,
        Config: { Hostname: id.slice(0, 12), ...config },
        HostConfig,
        NetworkSettings: { Networks: {} },
        running: false,
      });
      return [201, { Id: id, Warnings: [] }];
    }
    if ((m = /^\/containers\/([^/]+)(\/[a-z]+)?$/.exec(route))) {
      const ref = decodeURIComponent(m[1] ?? '');
      const c = find(ref);
      if (!c) return noSuch(ref);
      const op = `${method} ${m[2] ?? ''}`;
      if (op === 'GET /json')
        return [
          200,
          {
            Id: c.Id,
            Name: c.Name,
            Config: c.Config,
            HostConfig: c.HostConfig,
            NetworkSettings: c.NetworkSettings,
            State: { Running: c.running },
          },
        ];
      if (op === 'POST /restart') return ((c.running = true), [204, undefined]);
      if (op === 'POST /start')
        return c.running ? [304, undefined] : ((c.running = true), [204, undefined]);
      if (op === 'POST /stop')
        return !c.running ? [304, undefined] : ((c.running = false), [204, undefined]);
      if (op === 'POST /rename') {
        const name = url.searchParams.get('name') ?? '';
        if (containers.some((o) => o.Name === `/${name}`))
          return [409, { message: `Conflict. The container name "/${name}" is already in use` }];
        c.Name = `/${name}`;
        return [204, undefined];
      }
      if (op === 'DELETE ') {
        if (c.running && url.searchParams.get('force') !== 'true')
          return [
            409,
            {
              message: `cannot remove container "${c.Name}": container is running: stop the container before removing or force remove`,
            },
          ];
        containers.splice(containers.indexOf(c), 1);
        return [204, undefined];
      }
    }
    return [404, { message: 'page not found' }];
  };
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (c: Buffer) => (text += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://docker');
      const body: unknown = text ? JSON.parse(text) : undefined;
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        contentType: req.headers['content-type'],
        body,
      });
      if (body !== undefined && req.headers['content-type'] !== 'application/json') {
        res
          .writeHead(400, { 'content-type': 'application/json' })
          .end(JSON.stringify({ message: "Content-Type specified () must be 'application/json'" }));
        return;
      }
      const [status, answer] = handle(req.method ?? '', url, body);
      res
        .writeHead(status, answer === undefined ? {} : { 'content-type': 'application/json' })
        .end(answer === undefined ? undefined : JSON.stringify(answer));
    });
  });
  const socket = join(mkdtempSync(join(tmpdir(), 'healstream-docker-')), 'docker.sock');
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { socket, seen, containers, images };
}

function web(socket: string, extra = ''): Component {
  return parseComponents(
    `components:\n  web:\n    executor: docker\n    target: web\n    allowed_actions: [restart-service, scale-up, scale-down, rollback-deployment, fallback-mode]\n    bounds: { max_replicas: 3 }\n    options: { socket: "${socket}"${extra} }\n`,
    'components.yaml',
  ).components.get('web') as Component;
}

let keys = 0;
const run = (
  component: Component,
  name: string,
  params: Record<string, unknown> = {},
  idempotencyKey = `k${++keys}`,
) => {
  const action: PlannedAction = { name, params, delegated: false, custom: false };
  return dockerExecutor({ now: () => 1700000000000 }).run({
    command: command({ component: 'web' }),
    component,
    action,
    signal: AbortSignal.timeout(5000),
    idempotencyKey,
  });
};

describe('docker executor (contract, stand-in engine on a unix socket)', () => {
  it('restart-service: POST /containers/{id}/restart?t=<grace>; an unknown container is a final 404', async () => {
    const docker = await engine();
    await expect(run(web(docker.socket), 'restart-service', { grace_seconds: 5 })).resolves.toBe(
      'restarted container web (stop timeout 5s)',
    );
    expect(docker.seen).toEqual([
      {
        method: 'POST',
        url: '/v1.43/containers/web/restart?t=5',
        contentType: undefined,
        body: undefined,
      },
    ]);
    const gone = parseComponents(
      `components:\n  x:\n    executor: docker\n    target: gone\n    allowed_actions: [restart-service]\n    options: { socket: "${docker.socket}" }\n`,
      'c.yaml',
    ).components.get('x') as Component;
    await expect(run(gone, 'restart-service')).rejects.toMatchObject({
      retriable: false,
      message: 'restart container gone: docker engine answered 404: No such container: gone',
    });
  });

  it('scale-up: inspects, lists its replicas by label, creates and starts copies with free host ports', async () => {
    const docker = await engine();
    await expect(
      run(web(docker.socket), 'scale-up', { replicas: 2 }, 'cmd-1:scale-up'),
    ).resolves.toBe('started web-replica-1, web-replica-2; 3 containers of web running');
    const filters = encodeURIComponent(JSON.stringify({ label: ['healstream.replica-of=web'] }));
    expect(docker.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /v1.43/containers/web/json',
      `GET /v1.43/containers/json?all=true&filters=${filters}`,
      'POST /v1.43/containers/create?name=web-replica-1',
      `POST /v1.43/containers/${docker.containers[1]?.Id ?? ''}/start`,
      'POST /v1.43/containers/create?name=web-replica-2',
      `POST /v1.43/containers/${docker.containers[2]?.Id ?? ''}/start`,
    ]);
    expect(docker.seen[2]?.contentType).toBe('application/json');
    expect(docker.seen[2]?.body).toEqual({
      Image: 'shop/web:3',
      Env: ['PORT=8080'],
      Cmd: ['node', 'server.js'],
      ExposedPorts: { '8080/tcp': {} },
      Labels: {
        'healstream.previous-image': 'shop/web:2',
        team: 'shop',
        'healstream.replica-of': 'web',
        'healstream.created-by': 'cmd-1:scale-up',
      },
      HostConfig: {
        NetworkMode: 'shop',
        RestartPolicy: { Name: 'unless-stopped' },
        PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '' }] },
      },
      NetworkingConfig: { EndpointsConfig: { shop: { Aliases: ['web'] } } },
    });
    expect(docker.containers.filter((c) => c.running).map((c) => c.Name)).toEqual([
      '/web',
      '/web-replica-1',
      '/web-replica-2',
    ]);
  });

  it('retries are no-ops: the same scale-up adds only what is missing, the same rollback does not undo itself', async () => {
    const docker = await engine();
    const creates = () => docker.seen.filter((s) => s.url.includes('/containers/create')).length;
    await run(web(docker.socket), 'scale-up', { replicas: 1 }, 'cmd-7:scale-up');
    await expect(
      run(web(docker.socket), 'scale-up', { replicas: 1 }, 'cmd-7:scale-up'),
    ).resolves.toBe('1 copies of web already started by this action; 2 containers running');
    expect(creates()).toBe(1);

    await expect(
      run(web(docker.socket), 'rollback-deployment', {}, 'cmd-8:rollback'),
    ).resolves.toBe('recreated web from shop/web:2 (was shop/web:3)');
    // The new container's previous-image label names shop/web:3; a retry must not go there.
    await expect(
      run(web(docker.socket), 'rollback-deployment', {}, 'cmd-8:rollback'),
    ).resolves.toBe('web already recreated from shop/web:2 by this action');
    expect(creates()).toBe(2);
    expect(docker.containers.find((c) => c.Name === '/web')?.Config.Image).toBe('shop/web:2');
  });

  it('scale-down: force-removes the newest copies, never the original nor below min_replicas', async () => {
    const docker = await engine();
    await run(web(docker.socket), 'scale-up', { replicas: 2 }, 'cmd-9:scale-up');
    const newest = docker.containers.find((c) => c.Name === '/web-replica-2')?.Id ?? '';
    await expect(run(web(docker.socket), 'scale-down', { replicas: 1 })).resolves.toBe(
      'removed web-replica-2; 2 containers of web running',
    );
    expect(docker.seen.at(-1)).toMatchObject({
      method: 'DELETE',
      url: `/v1.43/containers/${newest}?force=true`,
    });
    await expect(run(web(docker.socket), 'scale-down', { replicas: 5 })).resolves.toBe(
      'removed web-replica-1; 1 containers of web running',
    );
    await expect(run(web(docker.socket), 'scale-down', { replicas: 1 })).resolves.toBe(
      '1 containers of web running, at min_replicas 1: nothing to remove',
    );
    expect(docker.containers.map((c) => c.Name)).toEqual(['/web']);
  });

  it('scale-up: running copies count toward max_replicas; beyond it nothing is created', async () => {
    const docker = await engine();
    await run(web(docker.socket), 'scale-up', { replicas: 1 });
    const creates = () => docker.seen.filter((s) => s.url.includes('/containers/create')).length;
    expect(creates()).toBe(1);
    await expect(run(web(docker.socket), 'scale-up', { replicas: 2 })).rejects.toMatchObject({
      retriable: false,
      code: 'PARAMS_OUT_OF_BOUNDS',
      message: 'scale-up of web to 4 containers refused: max_replicas is 3 (now 2)',
    });
    expect(creates()).toBe(1);
  });

  it('rollback-deployment: stops and parks the container, recreates it from the previous-image label, starts it, removes the old', async () => {
    const docker = await engine();
    await expect(run(web(docker.socket), 'rollback-deployment')).resolves.toBe(
      'recreated web from shop/web:2 (was shop/web:3)',
    );
    const newId = docker.containers[0]?.Id ?? '';
    expect(docker.seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /v1.43/containers/web/json',
      `POST /v1.43/containers/${WEB_ID}/stop?t=10`,
      `POST /v1.43/containers/${WEB_ID}/rename?name=web-replaced-1700000000000`,
      'POST /v1.43/containers/create?name=web',
      `POST /v1.43/containers/${newId}/start`,
      `DELETE /v1.43/containers/${WEB_ID}`,
    ]);
    expect(docker.seen[3]?.body).toMatchObject({
      Image: 'shop/web:2',
      Labels: { 'healstream.previous-image': 'shop/web:3', team: 'shop' },
      HostConfig: { PortBindings: { '8080/tcp': [{ HostIp: '', HostPort: '8080' }] } },
    });
    expect(docker.containers.map((c) => [c.Name, c.Config.Image, c.running])).toEqual([
      ['/web', 'shop/web:2', true],
    ]);
  });

  it('rollback-deployment: to_version as a tag; an image not on the host fails the action and puts the old container back', async () => {
    const docker = await engine();
    await expect(
      run(web(docker.socket), 'rollback-deployment', { to_version: '1' }),
    ).rejects.toMatchObject({
      retriable: false,
      message: 'create web from shop/web:1: docker engine answered 404: No such image: shop/web:1',
    });
    expect(docker.containers.map((c) => [c.Id, c.Name, c.Config.Image, c.running])).toEqual([
      [WEB_ID, '/web', 'shop/web:3', true],
    ]);
    expect(docker.seen.slice(-2).map((s) => `${s.method} ${s.url}`)).toEqual([
      `POST /v1.43/containers/${WEB_ID}/rename?name=web`,
      `POST /v1.43/containers/${WEB_ID}/start`,
    ]);
  });

  it('refuses actions without a Docker equivalent, and retries when the engine cannot be reached', async () => {
    const docker = await engine();
    await expect(
      run(web(docker.socket), 'fallback-mode', { duration_seconds: 60 }),
    ).rejects.toMatchObject({ retriable: false, code: 'UNSUPPORTED_ACTION' });
    expect(docker.seen).toEqual([]);
    await expect(
      run(web(join(tmpdir(), 'no-such-dir', 'docker.sock')), 'restart-service'),
    ).rejects.toMatchObject({
      retriable: true,
      message: expect.stringContaining('unreachable') as unknown,
    });
  });
});
