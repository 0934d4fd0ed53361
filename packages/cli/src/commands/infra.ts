import { readFileSync, existsSync } from 'node:fs';
import { brokerCount, down, infraSettings, logFiles, status, up } from '@healstream/infra';
import { CliError, type Command } from '../command.js';

const json = { json: { type: 'boolean' } } as const;

export const infraUp: Command = {
  path: ['infra', 'up'],
  summary: 'start the local Kafka broker and schema registry (fetched with Maven on first use)',
  usage: 'healstream infra up [--brokers 1|3] [--json]',
  options: { ...json, brokers: { type: 'string' } },
  async run(args, io) {
    let brokers: number | undefined;
    try {
      brokers = brokerCount(args.values['brokers'] as string | undefined);
    } catch (error) {
      throw new CliError(`infra up: --${(error as Error).message}`);
    }
    const settings = infraSettings(io.env);
    const report = await up(brokers === undefined ? settings : { ...settings, brokers }, (line) =>
      io.err(line),
    );
    if (args.values['json']) io.out(JSON.stringify(report));
    else {
      const verb = (started: boolean) => (started ? 'started' : 'already running');
      const kafka = report.kafka.brokers === 1 ? 'kafka' : `kafka ×${report.kafka.brokers}`;
      io.out(`${kafka.padEnd(9)} ${verb(report.kafka.started).padEnd(16)} ${report.brokers}`);
      io.out(`registry  ${verb(report.registry.started).padEnd(16)} ${report.registryUrl}`);
      const cold = report.kafka.downloaded || report.registry.downloaded;
      io.out(
        `ready in ${report.seconds.toFixed(1)}s${cold ? ' (a cold start: downloads included)' : ''}`,
      );
    }
    return 0;
  },
};

export const infraDown: Command = {
  path: ['infra', 'down'],
  summary: 'stop the local Kafka broker and schema registry (--clean also removes their data)',
  usage: 'healstream infra down [--clean] [--json]',
  options: { ...json, clean: { type: 'boolean' } },
  async run(args, io) {
    const stopped = await down(infraSettings(io.env), { clean: args.values['clean'] === true });
    if (args.values['json'])
      io.out(JSON.stringify({ stopped, cleaned: args.values['clean'] === true }));
    else io.out(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running');
    return 0;
  },
};

export const infraStatus: Command = {
  path: ['infra', 'status'],
  summary: 'whether the local broker and registry run and answer',
  usage: 'healstream infra status [--json]',
  options: json,
  async run(args, io) {
    const components = await status(infraSettings(io.env));
    if (args.values['json']) io.out(JSON.stringify(components));
    else
      for (const c of components) {
        const state = c.healthy ? 'healthy' : c.running ? 'running, not answering' : 'stopped';
        const detail = c.pid !== undefined ? `pid ${c.pid}, ${c.rssMiB ?? '?'} MiB` : '';
        io.out(`${c.name.padEnd(9)} ${state.padEnd(24)} ${c.address} ${detail}`.trimEnd());
      }
    return components.every((c) => c.healthy) ? 0 : 1;
  },
};

export const infraLogs: Command = {
  path: ['infra', 'logs'],
  summary: 'the last lines of the broker and registry logs',
  usage: 'healstream infra logs [kafka|kafka-1|…|registry] [--lines N]',
  options: { lines: { type: 'string' } },
  async run(args, io) {
    const files = logFiles(infraSettings(io.env));
    const which = args.positionals[0];
    if (which !== undefined && files[which] === undefined) {
      throw new CliError(
        `infra logs: unknown component '${which}' (${Object.keys(files).join(', ')})`,
      );
    }
    const lines = Number(args.values['lines'] ?? 40);
    if (!Number.isInteger(lines) || lines < 1)
      throw new CliError('infra logs: --lines takes a positive whole number');
    for (const [name, file] of Object.entries(files)) {
      if (which !== undefined && name !== which) continue;
      io.out(`==> ${file} <==`);
      if (existsSync(file))
        io.out(
          readFileSync(file, 'utf8')
            .split('\n')
            .slice(-lines - 1)
            .join('\n'),
        );
    }
    return 0;
  },
};
