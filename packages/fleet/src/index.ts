/**
 * The demo fleet: a real HTTP service with injectable faults (the member program), and a
 * supervisor that owns its child processes and takes orders over a local control API.
 *
 *   const supervisor = new Supervisor({ specs: memberSpecs(loadComponents('components.yaml')) });
 *   await supervisor.startAll();
 *   const control = await startControlServer(supervisor, { port: 7100 });
 *   await new SupervisorClient(control.url).operate('payments', 'restart', { grace_seconds: 5 });
 */
export {
  Supervisor,
  SupervisorError,
  type SupervisorEvent,
  type SupervisorOptions,
} from './supervisor/supervisor.js';
export { startControlServer, type ControlServer } from './supervisor/control-server.js';
export { memberSpecs, FleetSpecError, type MemberSpec } from './supervisor/spec.js';
export { freePort, memberCommand } from './supervisor/child.js';
export { FAULT_KINDS, MemberBehaviour, type FaultKind } from './member/behaviour.js';
export { startMember, type MemberSettings, type RunningMember } from './member/server.js';
export { exposition, gauges, type MemberSnapshot } from './member/exposition.js';
