import type { Command } from '../command.js';
import { infraDown, infraLogs, infraStatus, infraUp } from './infra.js';
import { topicsCreate } from './topics.js';
import { start } from './start.js';
import { publish } from './publish.js';
import { tail } from './tail.js';
import { dlqList, dlqRedrive, dlqShow } from './dlq.js';
import { nab } from './nab.js';
import { policiesExplain } from './policies-explain.js';
import { policiesStats } from './policies-stats.js';
import { policiesValidate } from './policies-validate.js';
import { policiesApply, policiesHistory, policiesRollback } from './policies-versions.js';
import { approve, deny } from './approve.js';
import { simulate } from './simulate.js';
import { fleet } from './fleet.js';
import { demo } from './demo.js';
import { agent } from './agent.js';
import { consoleCommand } from './console.js';
import { incidentShow, incidents } from './incidents.js';
import { completionCommand } from './completion.js';
import { maintenanceAdd, maintenanceEnd, maintenanceList } from './maintenance.js';
import { pause, resume } from './pause.js';
import { ack } from './ack.js';
import { policiesDisable, policiesEnable, policiesShadow } from './policies-override.js';

/** Every CLI command. Each lives in its own file in this folder; add it here. */
export const commands: Command[] = [
  infraUp,
  infraDown,
  infraStatus,
  infraLogs,
  topicsCreate,
  start,
  publish,
  tail,
  dlqList,
  dlqShow,
  dlqRedrive,
  incidents,
  incidentShow,
  consoleCommand,
  nab,
  policiesValidate,
  policiesExplain,
  policiesDisable,
  policiesShadow,
  policiesEnable,
  maintenanceAdd,
  maintenanceList,
  maintenanceEnd,
  pause,
  resume,
  ack,
  policiesApply,
  policiesHistory,
  policiesRollback,
  approve,
  deny,
  policiesStats,
  simulate,
  fleet,
  demo,
  agent,
  completionCommand(() => commands),
];
