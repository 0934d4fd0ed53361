import type { Component } from '@healstream/core';
import {
  CREATED_BY_LABEL,
  PREVIOUS_IMAGE_LABEL,
  containerName,
  createBody,
  q,
  str,
  type Call,
  type ContainerInspect,
} from './docker-containers.js';
import { ExecutorError } from './types.js';

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
 * Recreates the container under its name from the previous image; the old one is parked
 * (stopped, renamed) and restored if the new one cannot start.
 */
export async function rollback(
  old: ContainerInspect,
  component: Component,
  toVersion: unknown,
  call: Call,
  now: number,
  idempotencyKey: string,
): Promise<string> {
  const name = containerName(old);
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
