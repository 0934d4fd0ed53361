import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '@healstream/contracts';
import {
  DEFAULT_ACTIONS,
  loadComponents,
  loadPolicyFiles,
  type ComponentRegistry,
  type Policy,
} from '@healstream/core';
import { CliError, type CommandIo } from '../command.js';

export function pathFrom(io: CommandIo, path: string): string {
  return isAbsolute(path) ? path : resolve(io.cwd, path);
}

/** components.yaml from --components, else the repo root's when present, else none. */
export function componentsFor(io: CommandIo, option: unknown): ComponentRegistry | null {
  const explicit = typeof option === 'string';
  const file = explicit ? option : 'components.yaml';
  if (!existsSync(pathFrom(io, file))) {
    if (explicit) throw new CliError(`components file not found: ${file}`);
    return null;
  }
  try {
    return loadComponents(file, io.cwd);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`invalid components:\n${error.message}`);
    throw error;
  }
}

export function policyPaths(option: unknown): string[] {
  return Array.isArray(option)
    ? option.map(String)
    : typeof option === 'string'
      ? [option]
      : ['policies'];
}

/** Policies from --policies (files or directories, repeatable), else the repo's policies/. */
export function policiesFor(
  io: CommandIo,
  option: unknown,
  components: ComponentRegistry | null,
): Policy[] {
  const paths = policyPaths(option);
  for (const p of paths)
    if (!existsSync(pathFrom(io, p)))
      throw new CliError(`policy file or directory not found: ${p}`);
  try {
    return loadPolicyFiles(paths, {
      actions: components?.actions ?? DEFAULT_ACTIONS,
      baseDir: io.cwd,
    });
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(`invalid policies:\n${error.message}`);
    throw error;
  }
}
