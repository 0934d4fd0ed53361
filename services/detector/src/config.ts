import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadComponents, resolveDetectorConfig, type DetectorConfig } from '@healstream/core';
import { ConfigError } from '@healstream/contracts';
import { baseEnvSchema } from '@healstream/runtime';

export const detectorEnvSchema = baseEnvSchema.extend({
  /** YAML or JSON file with the detector's thresholds and statistical settings (optional). */
  DETECTOR_CONFIG: z.string().optional(),
  /** components.yaml: each component's `sample_interval_ms` for silence. Unset: ./components.yaml if present. */
  COMPONENTS_FILE: z.string().min(1).optional(),
});

/**
 * The detector's settings: the file named by DETECTOR_CONFIG, else the defaults; each
 * component's `sample_interval_ms` from components.yaml is its expected interval unless the
 * detector file's `silence.intervals` names it.
 */
export function loadDetectorConfig(
  file: string | undefined,
  componentsFile: string | undefined = existsSync('components.yaml')
    ? 'components.yaml'
    : undefined,
): DetectorConfig {
  let input: Record<string, unknown> = {};
  if (file) {
    try {
      input = (parse(readFileSync(file, 'utf8')) as Record<string, unknown> | null) ?? {};
    } catch (error) {
      throw new ConfigError(`DETECTOR_CONFIG ${file}: ${(error as Error).message}`, {
        variables: ['DETECTOR_CONFIG'],
      });
    }
  }
  const intervals: Record<string, number> = {};
  if (componentsFile) {
    for (const c of loadComponents(componentsFile).components.values())
      if (c.sampleIntervalMs !== null) intervals[c.id] = c.sampleIntervalMs;
  }
  const silence = (input['silence'] ?? {}) as Record<string, unknown>;
  const merged = {
    ...input,
    silence: {
      ...silence,
      intervals: { ...intervals, ...((silence['intervals'] as object | undefined) ?? {}) },
    },
  };
  try {
    return resolveDetectorConfig(merged);
  } catch (error) {
    throw new ConfigError(`DETECTOR_CONFIG ${file ?? '(defaults)'}: ${(error as Error).message}`, {
      variables: ['DETECTOR_CONFIG'],
    });
  }
}
