import type { HealingCommand, HealingDecision, PolicyEvaluation } from '@healstream/contracts';
import type { Policy } from '../policy/types.js';
import type { IncidentLadder } from './state.js';

/** What a step found so far: the decisions beside it (a shadow's) and the commands they carry. */
export interface Audit {
  shadow: HealingDecision | null;
  commands: HealingCommand[];
}

/** The policy a step would act with, on the incident's ladder, and what led there. */
export interface Choice {
  incident: IncidentLadder;
  chosen: Policy;
  chosenEntry: PolicyEvaluation | undefined;
  evaluated: PolicyEvaluation[];
  attempt: number;
  audit: Audit;
}
