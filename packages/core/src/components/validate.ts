import type { ActionRequest } from '@healstream/contracts';
import type { ComponentRegistry } from './registry.js';

/** Why a command may not run on a component; each kind has its own error code. */
export type ValidationFailure = {
  code: 'UNKNOWN_ACTION' | 'UNKNOWN_COMPONENT' | 'ACTION_NOT_PERMITTED' | 'PARAMS_OUT_OF_BOUNDS';
  action: string | null;
  message: string;
};

/**
 * Checks, before anything runs, that every action exists, the component exists, the action is
 * allowed for it and its parameters are within bounds (the action's own and the component's,
 * e.g. scale-up replicas ≤ max_replicas). Returns the first failure, or null when valid.
 */
export function validateActions(
  registry: ComponentRegistry,
  componentId: string,
  actions: readonly ActionRequest[],
): ValidationFailure | null {
  const component = registry.components.get(componentId);
  if (!component) {
    return {
      code: 'UNKNOWN_COMPONENT',
      action: null,
      message: `unknown component '${componentId}'`,
    };
  }
  for (const action of actions) {
    const spec = registry.actions.get(action.name);
    if (!spec)
      return {
        code: 'UNKNOWN_ACTION',
        action: action.name,
        message: `unknown action '${action.name}'`,
      };
    if (!component.allowedActions.includes(action.name)) {
      return {
        code: 'ACTION_NOT_PERMITTED',
        action: action.name,
        message: `action '${action.name}' is not allowed for component '${componentId}'`,
      };
    }
    const parsed = spec.params.safeParse(action.params);
    if (!parsed.success) {
      const detail = parsed.error.issues
        .map((i) => `${i.path.join('.') || 'params'}: ${i.message}`)
        .join('; ');
      return {
        code: 'PARAMS_OUT_OF_BOUNDS',
        action: action.name,
        message: `${action.name}: ${detail}`,
      };
    }
    const replicas = Number(parsed.data['replicas']);
    const max = component.bounds.maxReplicas;
    if (action.name === 'scale-up' && max !== null && replicas > max) {
      return {
        code: 'PARAMS_OUT_OF_BOUNDS',
        action: action.name,
        message: `scale-up replicas ${replicas} exceeds max_replicas ${max} of '${componentId}'`,
      };
    }
  }
  return null;
}
