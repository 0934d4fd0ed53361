import { z } from 'zod';
import { BUILTIN_ACTIONS, type ActionSpec } from './builtin.js';

/** A custom action's parameter, as declared under `actions:` in components.yaml. */
export const customParamSchema = z.strictObject({
  type: z.enum(['string', 'integer', 'number', 'boolean']),
  required: z.boolean().default(false),
  min: z.number().optional(),
  max: z.number().optional(),
  values: z.array(z.string()).optional(),
});

export const customActionSchema = z.strictObject({
  description: z.string().default(''),
  params: z.record(z.string(), customParamSchema).default({}),
});

export type CustomParam = z.infer<typeof customParamSchema>;
export type CustomActionDefinition = z.infer<typeof customActionSchema>;

export type ActionRegistry = ReadonlyMap<string, ActionSpec>;

function paramSchema(param: CustomParam): z.ZodType {
  let schema: z.ZodType;
  if (param.type === 'boolean') {
    schema = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]);
  } else if (param.type === 'string') {
    schema = param.values ? z.enum(param.values as [string, ...string[]]) : z.string();
  } else {
    let n = param.type === 'integer' ? z.coerce.number().int() : z.coerce.number();
    if (param.min !== undefined) n = n.min(param.min);
    if (param.max !== undefined) n = n.max(param.max);
    schema = n;
  }
  return param.required ? schema : schema.optional();
}

export function customActionSpec(name: string, definition: CustomActionDefinition): ActionSpec {
  const shape = Object.fromEntries(
    Object.entries(definition.params).map(([key, param]) => [key, paramSchema(param)]),
  );
  return {
    name,
    description: definition.description,
    params: z.strictObject(shape) as z.ZodType<Record<string, unknown>>,
    delegated: false,
    custom: true,
  };
}

/** Built-in actions plus the custom ones; a custom action may not shadow a built-in one. */
export function createActionRegistry(
  custom: Record<string, CustomActionDefinition> = {},
): ActionRegistry {
  const registry = new Map<string, ActionSpec>(BUILTIN_ACTIONS.map((a) => [a.name, a]));
  for (const [name, definition] of Object.entries(custom)) {
    if (!registry.has(name)) registry.set(name, customActionSpec(name, definition));
  }
  return registry;
}

export const DEFAULT_ACTIONS: ActionRegistry = createActionRegistry();
