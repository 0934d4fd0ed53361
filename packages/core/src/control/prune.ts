import type { DecisionConfig } from '../decide/config.js';
import { leverExpired } from './scope.js';
import type { ControlLever, ControlState } from './state.js';

const keepLevers = (levers: Record<string, ControlLever>, now: number) => {
  const kept: Record<string, ControlLever> = {};
  for (const id in levers) if (!leverExpired(levers[id]!, now)) kept[id] = levers[id]!;
  return kept;
};

/**
 * The control section without what can no longer matter at `now` (event time): windows and
 * pauses past their end (a weekly window never ends by itself), acknowledgements of incidents
 * this partition has closed, and those of incidents it never saw once they are older than an
 * idle incident (every partition receives every acknowledgement; one partition owns the incident).
 */
export function pruneControl(
  control: ControlState,
  now: number,
  incidentOf: (incidentId: string) => { closedAt: number | null } | undefined,
  config: Pick<DecisionConfig, 'idleIncidentMs'>,
): ControlState {
  const acks: ControlState['acks'] = {};
  for (const incidentId in control.acks) {
    const ack = control.acks[incidentId]!;
    const incident = incidentOf(incidentId);
    if (incident ? incident.closedAt === null : now - ack.createdAt <= config.idleIncidentMs)
      acks[incidentId] = ack;
  }
  return {
    windows: keepLevers(control.windows, now),
    pauses: keepLevers(control.pauses, now),
    acks,
    overrides: { ...control.overrides },
  };
}
