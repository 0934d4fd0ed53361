import { readFileSync } from 'node:fs';
import { createScorer } from '@healstream/anomaly';
import {
  parseSimulationInput,
  resolveDetectorConfig,
  runSimulation,
  type ScorerFactory,
} from '@healstream/core';
import { CliError, type Command, type CommandIo } from '../command.js';
import { componentsFor, pathFrom, policiesFor } from './policies-shared.js';
import { formatSimulation } from './simulate-format.js';

/** The statistical scorer when it is available, else null (the run uses static thresholds). */
function availableScorer(): ScorerFactory | null {
  try {
    createScorer().update(0, 0);
    return createScorer;
  } catch {
    return null;
  }
}

function seconds(io: CommandIo, value: unknown, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0)
    throw new CliError(`simulate: --${name} must be a number of seconds`);
  return n * 1000;
}

export const simulate: Command = {
  path: ['simulate'],
  summary: 'detection → diagnosis → decisions offline over recorded samples, on a virtual clock',
  usage:
    'healstream simulate FILE [--policies P]… [--components FILE] [--detector full|thresholds] [--outcome-delay S] [--json]\n' +
    '  FILE: MetricSample JSON lines; {"outcome":{...}} lines say how commands end (default: succeed and recover)',
  options: {
    policies: { type: 'string', multiple: true },
    components: { type: 'string' },
    detector: { type: 'string' },
    'outcome-delay': { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const file = args.positionals[0];
    if (!file) throw new CliError('simulate: a FILE of MetricSample JSON lines is required');
    let text: string;
    try {
      text = readFileSync(pathFrom(io, file), 'utf8');
    } catch (error) {
      throw new CliError(`simulate: cannot read ${file}: ${(error as Error).message}`);
    }
    const mode = args.values['detector'] ?? 'full';
    if (mode !== 'full' && mode !== 'thresholds')
      throw new CliError('simulate: --detector is full or thresholds');
    const components = componentsFor(io, args.values['components']);
    const policies = policiesFor(io, args.values['policies'], components);
    const input = parseSimulationInput(text);
    const scorer = mode === 'full' ? availableScorer() : null;
    const notes: string[] = [];
    if (mode === 'full' && !scorer)
      notes.push('statistical scorer unavailable: static thresholds only');
    const result = runSimulation(input, {
      policies,
      components,
      detector: resolveDetectorConfig({ statistical: { enabled: scorer !== null } }),
      scorerFactory: scorer ?? undefined,
      outcomeDelayMs: seconds(io, args.values['outcome-delay'], 'outcome-delay', 10_000),
    });
    for (const e of input.errors) io.err(`${file}:${e.line}: skipped: ${e.message}`);
    if (args.values['json'] === true) {
      io.out(
        JSON.stringify({
          inputErrors: input.errors,
          notes,
          incidents: result.incidents,
          timeline: result.timeline,
        }),
      );
    } else {
      for (const note of notes) io.out(`note: ${note}`);
      io.out(
        `${input.samples.length} samples, ${input.outcomeRules.length} outcome rule(s), ${policies.length} policies`,
      );
      for (const l of formatSimulation(result)) io.out(l);
    }
    return 0;
  },
};
