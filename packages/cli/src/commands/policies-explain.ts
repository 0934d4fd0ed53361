import { readFileSync } from 'node:fs';
import { decide, emptyState, resolveDecisionConfig } from '@healstream/core';
import { CliError, type Command } from '../command.js';
import { diagnosisFromJson } from './policies-explain-input.js';
import { componentsFor, pathFrom, policiesFor } from './policies-shared.js';

const MARK: Record<string, string> = { chosen: '→', shadow: '~' };

export const policiesExplain: Command = {
  path: ['policies', 'explain'],
  summary: 'which policy would act on this event, and why not the others',
  usage:
    'healstream policies explain --event JSON|@file [--policies P]… [--components FILE] [--json]\n' +
    '  JSON: a Diagnosis, a ReliabilityEvent, MetricSample(s), or {"component":"payments","metrics":{"latency_p99":600}}',
  options: {
    event: { type: 'string' },
    policies: { type: 'string', multiple: true },
    components: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const raw = args.values['event'];
    if (typeof raw !== 'string') throw new CliError('policies explain: --event is required');
    const text = raw.startsWith('@') ? readFileSync(pathFrom(io, raw.slice(1)), 'utf8') : raw;
    const components = componentsFor(io, args.values['components']);
    const policies = policiesFor(io, args.values['policies'], components);
    const diagnosis = diagnosisFromJson(text, Date.now());
    // A fresh state and every `for:` taken as served: explain answers "what would the rules do
    // once this lasts", not "what is in cooldown now" or "how long has it held".
    const result = decide({
      whatIf: true,
      diagnosis,
      state: emptyState(),
      policies,
      components,
      config: resolveDecisionConfig(),
      now: diagnosis.diagnosedAt,
    });
    if (args.values['json'] === true) {
      io.out(
        JSON.stringify({
          diagnosis,
          decision: result.decision,
          shadow: result.shadow,
          commands: result.commands,
        }),
      );
      return 0;
    }
    const d = result.decision;
    io.out(
      `${diagnosis.component}: ${diagnosis.anomalies.length} anomalous metric(s): ${diagnosis.anomalies.map((a) => `${a.metric}=${a.value}`).join(', ') || 'none'}`,
    );
    for (const c of diagnosis.causes)
      io.out(
        `  cause ${c.cause} ${c.confidence.toFixed(2)}${c.evidence.length ? `: ${c.evidence.join('; ')}` : ''}`,
      );
    const command = result.commands.find((c) => c.mode === 'ENFORCE');
    io.out(
      `verdict ${d.verdict}${d.policy ? `: ${d.policy}` : ''}${command ? ` → ${command.actions.map((a) => a.name).join(', ')}` : ''}`,
    );
    if (!command) io.out(`  ${d.reason}`);
    const width = Math.max(...d.evaluated.map((e) => e.policy.length), 6);
    for (const e of d.evaluated) {
      io.out(
        `  ${MARK[e.outcome] ?? ' '} ${e.policy.padEnd(width)}  p${String(e.priority).padEnd(2)} ${e.outcome.padEnd(14)} ${e.reason}`,
      );
    }
    if (result.shadow) io.out(`shadow: ${result.shadow.reason}`);
    return 0;
  },
};
