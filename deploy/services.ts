import { compiledEntry, SERVICE_NODE_FLAGS } from '@healstream/cli';
import { dlqName, dlqSourceTopics, type PipelineTopic } from '@healstream/contracts';

/** What the manifests need to know of each healstream workload. */
export interface Workload {
  name: string;
  /** HTTP_PORT: /healthz, /readyz, /metrics (and the ingest endpoints). */
  port: number;
  command: string[];
  /** Logical topics it consumes, lag-scaled by KEDA; none for agent and ingest. */
  inputs: string[];
  /** Total lag per replica at which KEDA adds one (its lagThreshold). */
  lagThreshold?: number;
  resources: { cpu: string; memory: string; cpuLimit: string; memoryLimit: string };
  env?: Record<string, string>;
  /** Mounted ConfigMaps: name → mount path. */
  mounts?: Record<string, string>;
  serviceAccount: string;
}

/** The compiled bundle the image's build wrote (scripts/build.ts), with the services' V8 settings. */
const main = (service: string) => ['node', ...SERVICE_NODE_FLAGS, compiledEntry(service)];
const small = { cpu: '100m', memory: '192Mi', cpuLimit: '1', memoryLimit: '384Mi' };
const medium = { cpu: '250m', memory: '256Mi', cpuLimit: '1', memoryLimit: '512Mi' };

export const CONFIG_DIR = '/etc/healstream';
const components = { 'healstream-components': `${CONFIG_DIR}/components` };

/** The five consumers (scaled on lag), the agent and the ingest endpoint. */
export const WORKLOADS: Workload[] = [
  {
    name: 'detector',
    port: 9401,
    command: main('detector'),
    inputs: ['metrics'],
    lagThreshold: 1000,
    resources: medium,
    serviceAccount: 'healstream',
  },
  {
    name: 'diagnoser',
    port: 9402,
    command: main('diagnoser'),
    inputs: ['reliability-events'],
    lagThreshold: 100,
    resources: small,
    serviceAccount: 'healstream',
  },
  {
    name: 'policy-evaluator',
    port: 9403,
    command: main('policy-evaluator'),
    inputs: ['diagnoses', 'healing-outcomes'],
    lagThreshold: 100,
    resources: medium,
    env: { COMPONENTS_FILE: `${CONFIG_DIR}/components/components.yaml` },
    mounts: components,
    serviceAccount: 'healstream',
  },
  {
    name: 'action-executor',
    port: 9404,
    command: main('action-executor'),
    inputs: ['healing-commands'],
    lagThreshold: 20,
    resources: small,
    env: { COMPONENTS_FILE: `${CONFIG_DIR}/components/components.yaml` },
    mounts: components,
    serviceAccount: 'healstream-action-executor',
  },
  {
    name: 'escalator',
    port: 9405,
    command: main('escalator'),
    inputs: [
      ...dlqSourceTopics.map((t: PipelineTopic) => dlqName(t)),
      'healing-outcomes',
      'healing-commands',
      'escalation-requests',
    ],
    lagThreshold: 50,
    resources: small,
    env: { ESCALATOR_COMPONENTS_FILE: `${CONFIG_DIR}/components/components.yaml` },
    mounts: components,
    serviceAccount: 'healstream',
  },
  {
    name: 'agent',
    port: 9406,
    command: [
      'node',
      ...SERVICE_NODE_FLAGS,
      'dist/cli/main.js',
      'agent',
      '--targets',
      `${CONFIG_DIR}/agent/targets.yaml`,
    ],
    inputs: [],
    resources: small,
    mounts: { 'healstream-agent-targets': `${CONFIG_DIR}/agent` },
    serviceAccount: 'healstream',
  },
  {
    name: 'ingest',
    port: 9407,
    command: main('ingest'),
    inputs: [],
    resources: medium,
    serviceAccount: 'healstream',
  },
];
