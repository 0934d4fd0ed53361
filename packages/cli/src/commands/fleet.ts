import { resolve } from 'node:path';
import { loadComponents } from '@healstream/core';
import { memberSpecs, startControlServer, Supervisor } from '@healstream/fleet';
import { CliError, type Command } from '../command.js';
import { compiledMemberCommand } from '../service-command.js';

/** Resolves when the process gets SIGINT or SIGTERM. */
function untilSignal(): Promise<string> {
  return new Promise((done) => {
    const on = (signal: string) => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      done(signal);
    };
    const onInt = () => on('SIGINT');
    const onTerm = () => on('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export const fleet: Command = {
  path: ['fleet'],
  summary: 'run the demo fleet (real child processes) and its control API until Ctrl-C',
  usage: 'healstream fleet [--components components.yaml] [--port 7100] [--only a,b] [--json]',
  options: {
    components: { type: 'string' },
    port: { type: 'string' },
    only: { type: 'string' },
    json: { type: 'boolean' },
  },
  async run(args, io) {
    const file = resolve(io.cwd, String(args.values['components'] ?? 'components.yaml'));
    const port = Number(args.values['port'] ?? io.env['FLEET_SUPERVISOR_PORT'] ?? 7100);
    if (!Number.isInteger(port) || port < 0 || port > 65_535)
      throw new CliError(`--port must be a port number, got '${String(args.values['port'])}'`, 2);
    const only =
      typeof args.values['only'] === 'string'
        ? args.values['only']
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined;
    const json = args.values['json'] === true;
    const specs = memberSpecs(loadComponents(file), only);
    if (specs.length === 0) throw new CliError(`no component with executor 'process' in ${file}`);

    const say = (record: Record<string, unknown>, text: string) =>
      io.out(json ? JSON.stringify({ at: new Date().toISOString(), ...record }) : text);
    const supervisor = new Supervisor({
      specs,
      memberCommand: compiledMemberCommand(io.cwd),
      onEvent: (e) =>
        say(
          { event: e.message, component: e.component, ...e.detail },
          `[${e.component}] ${e.message}${e.detail ? ` ${JSON.stringify(e.detail)}` : ''}`,
        ),
      onOutput: (component, index, line) => {
        if (!json) io.out(`[${component}-${index}] ${line}`);
      },
    });
    const signal = untilSignal();
    try {
      await supervisor.startAll();
    } catch (error) {
      await supervisor.stopAll(2000);
      throw new CliError(`fleet did not start: ${(error as Error).message}`);
    }
    // A token given is a secret and never printed; one generated here is, for the operator.
    const given = process.env['HEALSTREAM_FLEET_TOKEN'] ?? '';
    const control = await startControlServer(supervisor, { port, token: given });
    for (const c of supervisor.status()) {
      const i = c.instances[0];
      say(
        { event: 'running', component: c.id, pid: i?.pid, port: i?.port, version: c.version },
        `${c.id.padEnd(12)} pid ${String(i?.pid).padEnd(8)} port ${i?.port}  version ${c.version}`,
      );
    }
    say(
      { event: 'control', url: control.url, ...(given ? {} : { token: control.token }) },
      `control API on ${control.url} (GET /status, POST /components/<id>/restart|scale-up|rollback|fault|... with Authorization: Bearer ${given ? '$HEALSTREAM_FLEET_TOKEN' : control.token}; the executor takes it as FLEET_SUPERVISOR_TOKEN); Ctrl-C stops the fleet`,
    );
    const got = await signal;
    say({ event: 'stopping', signal: got }, `${got}: stopping every instance`);
    await control.close();
    await supervisor.stopAll();
    say({ event: 'stopped' }, 'fleet stopped');
    return 0;
  },
};
