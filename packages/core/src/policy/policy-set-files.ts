import { existsSync, readFileSync } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { policyFilesIn } from './load.js';
import type { PolicySetDocument } from './policy-set.js';

/**
 * The policy set a directory holds: its `*.yaml` policy files and, when given (or when the
 * directory has one), a components file. Relative paths are read from `baseDir` and recorded as
 * given, so messages and `policies history` name the files the way the operator wrote them.
 */
export function readPolicySetFiles(
  dir: string,
  options: { components?: string | undefined; baseDir?: string } = {},
): PolicySetDocument {
  const at = (p: string) => (options.baseDir && !isAbsolute(p) ? resolve(options.baseDir, p) : p);
  const inDir = join(dir, 'components.yaml');
  const componentsFile = options.components ?? (existsSync(at(inDir)) ? inDir : undefined);
  const policies = policyFilesIn(dir, options.baseDir)
    .filter((f) => basename(f) !== 'components.yaml' && f !== componentsFile)
    .map((file) => ({ file, text: readFileSync(at(file), 'utf8') }));
  return {
    format: 1,
    policies,
    components: componentsFile
      ? { file: componentsFile, text: readFileSync(at(componentsFile), 'utf8') }
      : null,
  };
}
