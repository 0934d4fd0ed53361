import { z } from 'zod';
import { baseEnvSchema } from '@healstream/runtime';

const flag = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');

/** The console's variables, on top of every service's. */
export const consoleEnvSchema = baseEnvSchema.extend({
  /** Bearer token for every request (reads too unless HEALSTREAM_CONSOLE_PUBLIC_READ). */
  HEALSTREAM_CONSOLE_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters (e.g. openssl rand -hex 16)')
    .optional(),
  /** Let anyone who reaches the console read it (mutations still need the token). */
  HEALSTREAM_CONSOLE_PUBLIC_READ: flag,
  /** Where the console listens: loopback unless told otherwise. */
  HEALSTREAM_CONSOLE_HOST: z.string().min(1).default('127.0.0.1'),
  HEALSTREAM_CONSOLE_PORT: z.coerce
    .number()
    .int('must be a whole number from 0 to 65535')
    .min(0)
    .max(65535)
    .default(9480),
  /**
   * The SQLite file of incidents (default .healstream/console/<prefix>incidents.db); deleting
   * it is safe, it is rebuilt from the topics.
   */
  HEALSTREAM_CONSOLE_STORE: z.string().min(1).optional(),
  /** components.yaml, for the team of components whose records carry no team label. */
  HEALSTREAM_COMPONENTS_FILE: z.string().optional(),
});

export type ConsoleEnv = z.infer<typeof consoleEnvSchema>;
