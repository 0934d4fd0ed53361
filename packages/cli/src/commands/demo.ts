import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CliError, type Command } from '../command.js';
import { resolveEnv } from '../connection.js';
import { runDemo } from '../demo/run-demo.js';
import { SCENARIOS, selectScenarios } from '../demo/scenarios.js';

export const demo: Command = {
  path: ['demo'],
  summary:
    'the live self-healing demo: a real fleet, injected faults, the five services and the incident console, a timeline and an MTTR table',
  usage: `healstream demo [--scenario ${SCENARIOS.map((s) => s.name).join('|')}] [--short] [--json] [--json-file F] [--verbose]`,
  options: {
    scenario: { type: 'string' },
    short: { type: 'boolean' },
    json: { type: 'boolean' },
    'json-file': { type: 'string' },
    verbose: { type: 'boolean' },
  },
  async run(args, io) {
    let scenarios;
    try {
      scenarios = selectScenarios(
        typeof args.values['scenario'] === 'string' ? args.values['scenario'] : undefined,
      );
    } catch (error) {
      throw new CliError(`demo: ${(error as Error).message}`, 2);
    }
    const config = await resolveEnv(io);
    const controller = new AbortController();
    let signals = 0;
    const onSignal = () => {
      signals++;
      if (signals === 1) {
        io.err(
          'demo: stopping (services, fleet, Alertmanager, topics); Ctrl-C again to leave at once',
        );
        controller.abort();
      } else {
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const report = await runDemo(
        {
          repoRoot: io.cwd,
          connection: config,
          scenarios,
          short: args.values['short'] === true,
          verbose: args.values['verbose'] === true,
          partitions: 6,
        },
        io,
        controller.signal,
      );
      const json = JSON.stringify(report, null, 2);
      if (typeof args.values['json-file'] === 'string')
        writeFileSync(resolve(io.cwd, args.values['json-file']), `${json}\n`);
      if (args.values['json'] === true) io.out(json);
      if (report.interrupted) return 130;
      return report.ok ? 0 : 1;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
