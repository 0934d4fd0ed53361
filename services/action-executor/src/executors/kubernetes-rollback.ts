import type {
  V1Deployment,
  V1LabelSelector,
  V1PodTemplateSpec,
  V1ReplicaSet,
} from '@kubernetes/client-node';
import { ExecutorError } from './types.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
const HASH_LABEL = 'pod-template-hash';

/** Deployment annotations a rollback keeps from the Deployment rather than copying from the ReplicaSet (as kubectl does). */
const ANNOTATIONS_TO_SKIP = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  'deployment.kubernetes.io/revision-history',
  'deployment.kubernetes.io/desired-replicas',
  'deployment.kubernetes.io/max-replicas',
  'deprecated.deployment.rollback.to',
]);

/** A label selector in the query syntax (`a=b,c in (d,e),!f`). */
export function selectorString(selector: V1LabelSelector | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    if (e.operator === 'In') parts.push(`${e.key} in (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

export const revisionOf = (o: { metadata?: { annotations?: Record<string, string> } }): number => {
  const n = Number(o.metadata?.annotations?.[REVISION_ANNOTATION]);
  return Number.isInteger(n) ? n : -1;
};

function withoutHash(template: V1PodTemplateSpec): V1PodTemplateSpec {
  const labels = { ...template.metadata?.labels };
  delete labels[HASH_LABEL];
  return { ...template, metadata: { ...template.metadata, labels } };
}

/** Stable JSON (sorted keys), to compare pod templates the way kubectl does (hash label ignored). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    const entries = Object.entries(value as Record<string, unknown>).filter(
      ([, v]) => v !== undefined,
    );
    return `{${entries
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export type RollbackPlan =
  | { kind: 'skip'; revision: number; replicaSet: string }
  | { kind: 'patch'; revision: number; replicaSet: string; patch: Record<string, unknown>[] };

/**
 * What `kubectl rollout undo [--to-revision=N]` does: among the ReplicaSets the Deployment
 * controls, take revision N, or the one before the newest; if its pod template (without
 * pod-template-hash) already is the Deployment's, nothing to do; else a JSON patch replacing
 * spec.template and metadata.annotations (the ReplicaSet's, minus the ones kubectl keeps).
 * `pinned` names the ReplicaSet an earlier attempt of the same action chose: revision numbers
 * change with an undo (the restored ReplicaSet becomes the newest), its name does not.
 */
export function planRollback(
  deployment: V1Deployment,
  replicaSets: V1ReplicaSet[],
  toRevision: number | undefined,
  pinned?: string,
): RollbackPlan {
  const name = deployment.metadata?.name ?? '?';
  if (deployment.spec?.paused)
    throw new ExecutorError(
      `deployment ${name} is paused; resume it before rolling back`,
      false,
      'ROLLBACK_REFUSED',
    );
  const uid = deployment.metadata?.uid;
  const owned = replicaSets.filter((rs) =>
    rs.metadata?.ownerReferences?.some((o) => o.controller === true && o.uid === uid),
  );
  let target: V1ReplicaSet | undefined;
  if (pinned !== undefined) {
    target = owned.find((rs) => rs.metadata?.name === pinned);
    if (!target)
      throw new ExecutorError(
        `replica set ${pinned}, chosen by an earlier attempt of this rollback, is no longer in the history of deployment ${name}`,
        false,
        'ROLLBACK_REFUSED',
      );
  } else if (toRevision !== undefined) {
    target = owned.find((rs) => revisionOf(rs) === toRevision);
    if (!target)
      throw new ExecutorError(
        `deployment ${name} has no revision ${toRevision} in its history`,
        false,
        'ROLLBACK_REFUSED',
      );
  } else {
    const revisions = [...new Set(owned.map(revisionOf).filter((r) => r > 0))].sort(
      (a, b) => b - a,
    );
    const previous = revisions[1];
    if (previous === undefined)
      throw new ExecutorError(
        `deployment ${name} has no previous revision to roll back to`,
        false,
        'ROLLBACK_REFUSED',
      );
    target = owned.find((rs) => revisionOf(rs) === previous);
  }
  if (!target?.spec?.template)
    throw new ExecutorError(
      `replica set of deployment ${name} has no pod template`,
      false,
      'ROLLBACK_REFUSED',
    );
  const revision = revisionOf(target);
  const replicaSet = target.metadata?.name ?? '';
  const template = withoutHash(target.spec.template);
  if (
    deployment.spec?.template &&
    canonical(withoutHash(deployment.spec.template)) === canonical(template)
  )
    return { kind: 'skip', revision, replicaSet };
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(deployment.metadata?.annotations ?? {}))
    if (ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  for (const [k, v] of Object.entries(target.metadata?.annotations ?? {}))
    if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v;
  return {
    kind: 'patch',
    revision,
    replicaSet,
    patch: [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ],
  };
}
