import { z } from 'zod';
import type { ComponentRegistry } from '@healstream/core';

/** What the supervisor needs to run one component of executor kind `process`. */
export interface MemberSpec {
  id: string;
  /** Port of the first instance; its health check URL points here. */
  port: number;
  version: string;
  /** The program to start; null for the built-in fleet member. */
  command: string[] | null;
  env: Record<string, string>;
  /** Instances at most (components.yaml bounds.max_replicas, default 4). */
  maxReplicas: number;
  /** Instances a scale-down leaves at least (components.yaml bounds.min_replicas, default 1). */
  minReplicas: number;
  healthPath: string;
}

/**
 * Whether `spec` runs the built-in member, which shares its port with its replacement
 * (SO_REUSEPORT) and answers its health check with its pid: what lets a restart overlap the old
 * process's drain with the new one's boot.
 */
export function sharesPort(spec: MemberSpec): boolean {
  return spec.command === null;
}

/**
 * The `options` a `process` component may carry in components.yaml; every one has a default so
 * the demo's components need none: the port comes from the health check URL.
 *
 *   options: { port: 7101, version: 1.4.2, command: [node, my-service.js], env: { K: v } }
 */
const optionsSchema = z.object({
  port: z.coerce.number().int().min(1).max(65_535).optional(),
  version: z.coerce.string().min(1).default('1.0.0'),
  command: z.array(z.string().min(1)).min(1).optional(),
  env: z.record(z.string(), z.coerce.string()).default({}),
});

export class FleetSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetSpecError';
  }
}

/** The `process` components of a registry, in file order; `only` narrows them by id. */
export function memberSpecs(registry: ComponentRegistry, only?: readonly string[]): MemberSpec[] {
  const specs: MemberSpec[] = [];
  for (const component of registry.components.values()) {
    if (component.executor !== 'process') continue;
    if (only && only.length > 0 && !only.includes(component.id)) continue;
    const parsed = optionsSchema.safeParse(component.options);
    if (!parsed.success) {
      throw new FleetSpecError(
        `components.${component.id}.options: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      );
    }
    const health = component.healthCheck ? new URL(component.healthCheck.url) : null;
    const port = parsed.data.port ?? (health?.port ? Number(health.port) : undefined);
    if (port === undefined) {
      throw new FleetSpecError(
        `components.${component.id}: give options.port or a health_check url with a port, so the supervisor knows where to run it`,
      );
    }
    specs.push({
      id: component.id,
      port,
      version: parsed.data.version,
      command: parsed.data.command ?? null,
      env: parsed.data.env,
      maxReplicas: component.bounds.maxReplicas ?? 4,
      minReplicas: Math.max(1, component.bounds.minReplicas ?? 1),
      healthPath: health?.pathname ?? '/healthz',
    });
  }
  if (only) {
    const missing = only.filter((id) => !specs.some((s) => s.id === id));
    if (missing.length > 0)
      throw new FleetSpecError(`no process component named ${missing.join(', ')}`);
  }
  return specs;
}
