import { z } from 'zod';
import { componentSchema, componentsFileSchema } from './components/schema.js';
import {
  actionEntrySchema,
  anomalyConditionSchema,
  approvalInputSchema,
  causeConditionSchema,
  forecastConditionSchema,
  metricConditionSchema,
  policySchema,
} from './policy/schema.js';

/**
 * JSON Schemas of the files people write, generated from the zod schemas that validate them,
 * for editors (yaml-language-server) to complete and check as you type. The loaders stay the
 * authority (they also check what a schema cannot say: unknown actions, duplicate names).
 * Regenerate with `pnpm generate:schemas`; a test fails when the checked-in files drift.
 */
export function policyFileJsonSchema(): Record<string, unknown> {
  // The loader reads conditions and actions one by one for precise messages; an editor wants
  // their full shape.
  const policy = policySchema.extend({
    conditions: z
      .array(
        z.union([
          metricConditionSchema,
          causeConditionSchema,
          anomalyConditionSchema,
          forecastConditionSchema,
        ]),
      )
      .min(1),
    actions: z.array(actionEntrySchema).min(1),
    approval: approvalInputSchema.optional(),
  });
  return withHeader(
    z.toJSONSchema(z.array(policy), { io: 'input', unrepresentable: 'any' }),
    'healstream policies',
    'A policy file: a list of healing policies (docs/policies.md).',
  );
}

export function componentsFileJsonSchema(): Record<string, unknown> {
  return withHeader(
    z.toJSONSchema(
      componentsFileSchema.extend({
        components: z.record(
          z.string().min(1),
          componentSchema.extend({ approval: approvalInputSchema.optional() }),
        ),
      }),
      { io: 'input', unrepresentable: 'any' },
    ),
    'healstream components',
    'components.yaml: the fleet healstream may heal, and custom actions (docs/policies.md).',
  );
}

function withHeader(
  schema: Record<string, unknown>,
  title: string,
  description: string,
): Record<string, unknown> {
  return { ...schema, title, description };
}

/** The checked-in files, relative to the repository root, and what each holds. */
export const JSON_SCHEMA_FILES = {
  'schemas/json/policies.schema.json': policyFileJsonSchema,
  'schemas/json/components.schema.json': componentsFileJsonSchema,
} as const;
