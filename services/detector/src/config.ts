import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { resolveDetectorConfig, type DetectorConfig } from '@healstream/core';
import { ConfigError } from '@healstream/contracts';
import { baseEnvSchema } from '@healstream/runtime';

export const detectorEnvSchema = baseEnvSchema.extend({
  /** YAML or JSON file with the detector's thresholds and statistical settings (optional). */
  DETECTOR_CONFIG: z.string().optional(),
});

/** The detector's settings: the file named by DETECTOR_CONFIG, else the defaults. */
export function loadDetectorConfig(file: string | undefined): DetectorConfig {
  if (!file) return resolveDetectorConfig();
  try {
    return resolveDetectorConfig(parse(readFileSync(file, 'utf8')) ?? {});
  } catch (error) {
    throw new ConfigError(`DETECTOR_CONFIG ${file}: ${(error as Error).message}`, {
      variables: ['DETECTOR_CONFIG'],
    });
  }
}
