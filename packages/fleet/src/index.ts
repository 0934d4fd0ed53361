/**
 * The demo fleet: a real HTTP service with injectable faults (the member program), and a
 * supervisor that owns its child processes and takes orders over a local control API.
 *
 *   const supervisor = new Supervisor({ specs: memberSpecs(loadComponents('components.yaml')) });
 *   await supervisor.startAll();
 *   const control = await startControlServer(supervisor, { port: 7100 });
 *   await new SupervisorClient(control.url).operate('payments', 'restart', { grace_seconds: 5 });
 */
export { Supervisor } from './supervisor/supervisor.js';
export { startControlServer } from './supervisor/control-server.js';
export { memberSpecs } from './supervisor/spec.js';
export { freePort } from './supervisor/child.js';
