/**
 * The client of a process supervisor's control API, as the action-executor's `process` executor
 * and the demo use it:
 *
 *   await new SupervisorClient('http://127.0.0.1:7100').operate('payments', 'restart', {});
 */
export { SupervisorClient, SupervisorCallError } from './client.js';
export type { ComponentStatus, InstanceInfo } from './status.js';
