import { randomBytes } from 'node:crypto';
import { consoleEnvSchema, startConsole } from '@healstream/console';
import { loadComponents } from '@healstream/core';
import { createLogger, createRegistry, loadConfig } from '@healstream/runtime';
import type { Command } from '../command.js';
import { cliKafka } from '../connection.js';
import { prepareTopics } from './start.js';

export const consoleCommand: Command = {
  path: ['console'],
  summary:
    'the incident console in the foreground: incidents, decisions, fleet, dead letters; Ctrl-C stops it',
  usage: 'healstream console [--port N] [--components FILE]',
  options: { port: { type: 'string' }, components: { type: 'string' } },
  async run(args, io) {
    const env = await prepareTopics(io);
    // Without a configured token this run makes one: the console is never open to anyone.
    const token = env['HEALSTREAM_CONSOLE_TOKEN'] ?? randomBytes(16).toString('hex');
    const config = loadConfig(consoleEnvSchema, {
      ...env,
      HEALSTREAM_CONSOLE_TOKEN: token,
      ...(typeof args.values['port'] === 'string'
        ? { HEALSTREAM_CONSOLE_PORT: args.values['port'] }
        : {}),
      ...(typeof args.values['components'] === 'string'
        ? { HEALSTREAM_COMPONENTS_FILE: args.values['components'] }
        : {}),
    });
    const teams = new Map<string, string>();
    if (config.HEALSTREAM_COMPONENTS_FILE)
      for (const c of loadComponents(config.HEALSTREAM_COMPONENTS_FILE).components.values())
        if (c.oncall) teams.set(c.id, c.oncall.team);
    const logger = createLogger('console', config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL);
    const running = await startConsole({
      config,
      kafka: cliKafka(config),
      logger,
      registry: createRegistry('console'),
      teamOf: (component) => teams.get(component) ?? null,
    });
    io.out(`console: ${running.url}/#token=${token}`);
    if (!env['HEALSTREAM_CONSOLE_TOKEN'])
      io.err(
        'console: no HEALSTREAM_CONSOLE_TOKEN set, so this run uses the one-off token in the URL',
      );
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    io.err('console: stopping');
    await running.stop();
    return 0;
  },
};
