import { z } from 'zod';

const MINUTE = 60_000;

/**
 * Flap damping, after BGP route-flap damping (RFC 2439): each flap (an incident of the same
 * cause re-opening within `windowMs` of a healing that reported RECOVERED) adds `penalty`; the
 * penalty halves every `halfLifeMs`; at `suppressAt` the component × cause is suppressed (no
 * action, one page) until the penalty has decayed below `reuseBelow`.
 */
export const flapConfigSchema = z.strictObject({
  windowMs: z
    .number()
    .int()
    .min(1)
    .default(15 * MINUTE),
  halfLifeMs: z
    .number()
    .int()
    .min(1)
    .default(30 * MINUTE),
  penalty: z.number().positive().default(1),
  suppressAt: z.number().positive().default(3),
  reuseBelow: z.number().positive().default(1),
});

/**
 * Policy effectiveness: an attempt succeeds when it RECOVERED and no incident of the same cause
 * re-opened on the component within `stableMs`. Attempts older than `windowMs` are forgotten;
 * a policy whose success rate over the window is below `demoteBelow` after at least
 * `minAttempts` settled attempts acts in shadow for that cause on that component.
 */
export const effectivenessConfigSchema = z.strictObject({
  windowMs: z
    .number()
    .int()
    .min(1)
    .default(24 * 60 * MINUTE),
  stableMs: z
    .number()
    .int()
    .min(1)
    .default(15 * MINUTE),
  demoteBelow: z.number().min(0).max(1).default(0.5),
  minAttempts: z.number().int().min(1).default(3),
  /** Settled attempts kept per policy × cause × component (the oldest go first). */
  maxAttempts: z.number().int().min(1).default(50),
});

export type FlapConfig = z.infer<typeof flapConfigSchema>;
export type EffectivenessConfig = z.infer<typeof effectivenessConfigSchema>;
