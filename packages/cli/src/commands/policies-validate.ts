import { ConfigError, formatIssue, type ConfigIssue } from '@healstream/contracts';
import { DEFAULT_ACTIONS, loadPolicyFiles, type Policy } from '@healstream/core';
import { existsSync } from 'node:fs';
import { CliError, type Command } from '../command.js';
import { componentsFor, pathFrom, policyPaths } from './policies-shared.js';

export const policiesValidate: Command = {
  path: ['policies', 'validate'],
  summary: 'load and check policy files (default: policies/)',
  usage: 'healstream policies validate [files or directories…] [--components FILE] [--json]',
  options: { components: { type: 'string' }, json: { type: 'boolean' } },
  async run(args, io) {
    const paths = policyPaths(args.positionals.length > 0 ? args.positionals : undefined);
    for (const p of paths)
      if (!existsSync(pathFrom(io, p)))
        throw new CliError(`policy file or directory not found: ${p}`);
    const components = componentsFor(io, args.values['components']);
    let policies: Policy[] = [];
    let issues: ConfigIssue[] = [];
    const warnings: ConfigIssue[] = [];
    try {
      policies = loadPolicyFiles(paths, {
        actions: components?.actions ?? DEFAULT_ACTIONS,
        baseDir: io.cwd,
        onWarning: (w) => warnings.push(w),
      });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      issues = error.issues;
    }
    if (args.values['json'] === true) {
      io.out(
        JSON.stringify({
          ok: issues.length === 0,
          policies: policies.map((p) => ({
            name: p.name,
            priority: p.priority,
            mode: p.mode,
            enabled: p.enabled,
            ...p.source,
          })),
          issues,
          warnings,
        }),
      );
      return issues.length === 0 ? 0 : 1;
    }
    // Warnings never fail the check: a metric of one's own is legal, only likely a typo.
    for (const w of warnings) io.err(`warning: ${formatIssue(w)}`);
    if (issues.length > 0) {
      for (const issue of issues) io.err(formatIssue(issue));
      io.err(`${issues.length} problem(s) found`);
    } else {
      for (const p of policies) {
        const flags = [p.mode === 'shadow' ? 'shadow' : '', p.enabled ? '' : 'disabled']
          .filter(Boolean)
          .join(', ');
        io.out(
          `ok  ${p.source.file}:${p.source.line}  ${p.name} (priority ${p.priority}${flags ? `, ${flags}` : ''})`,
        );
      }
      io.out(`${policies.length} valid policies`);
    }
    return issues.length === 0 ? 0 : 1;
  },
};
