import { onTestFinished } from 'vitest';
import type {
  Diagnosis,
  Escalation,
  HealingCommand,
  HealingDecision,
  HealingOutcome,
  RecordName,
  ReliabilityEvent,
} from '@healstream/contracts';
import { parseComponents } from '@healstream/core';
import { memberSpecs, startControlServer, Supervisor } from '@healstream/fleet';
import type { BaseEnv } from '@healstream/runtime';
import { startAllServices, tempFile } from './full-pipeline.js';
import { watchTopic } from './records.js';
import { startTestWebhook, type TestWebhook } from './webhook.js';

type Watcher<T> = Awaited<ReturnType<typeof watchTopic<T>>>;

/** The topics a test of the whole pipeline watches, by the name it calls them. */
export interface PipelineWatchers {
  events: Watcher<ReliabilityEvent>;
  diagnoses: Watcher<Diagnosis>;
  decisions: Watcher<HealingDecision>;
  commands: Watcher<HealingCommand>;
  outcomes: Watcher<HealingOutcome>;
  requests: Watcher<Escalation>;
  escalations: Watcher<Escalation>;
}

const WATCHED: Record<keyof PipelineWatchers, readonly [logical: string, record: RecordName]> = {
  events: ['reliability-events', 'ReliabilityEvent'],
  diagnoses: ['diagnoses', 'Diagnosis'],
  decisions: ['healing-decisions', 'HealingDecision'],
  commands: ['healing-commands', 'HealingCommand'],
  outcomes: ['healing-outcomes', 'HealingOutcome'],
  requests: ['escalation-requests', 'Escalation'],
  escalations: ['escalations', 'Escalation'],
};

/** Live views of the named topics of a private pipeline, in the order given; stopped when the test finishes. */
export async function watchPipeline<W extends keyof PipelineWatchers>(
  topic: (logical: string) => string,
  names: readonly W[],
): Promise<Pick<PipelineWatchers, W>> {
  const watchers = {} as Record<W, Watcher<unknown>>;
  for (const name of names) {
    const [logical, record] = WATCHED[name];
    watchers[name] = await watchTopic(topic(logical), record);
  }
  onTestFinished(async () => {
    await Promise.all(Object.values<Watcher<unknown>>(watchers).map((w) => w.stop()));
  });
  return watchers as unknown as Pick<PipelineWatchers, W>;
}

/** What most end-to-end tests want of the detector: quick re-emits and resolves, no statistics. */
const E2E_DETECTOR = {
  reemitEveryMs: 2000,
  resolveAfterSamples: 3,
  statistical: { enabled: false },
};

export interface PipelineUnderTestOptions<W extends keyof PipelineWatchers> {
  /** components.yaml: the evaluator's, the executor's and the escalator's. */
  components: string;
  /** Components of that file the supervisor runs as real member processes. */
  members: string[];
  /** Detector settings over the end-to-end defaults (`E2E_DETECTOR`). */
  detector?: Record<string, unknown>;
  /** Whether the test webhook (always started) is the escalator's sink. */
  webhook?: boolean;
  /** The rest of the services' environment. */
  env: Record<string, string>;
  /** Topics to watch once the services are up. */
  watch: readonly W[];
}

/**
 * The five services as processes on a private pipeline, beside a real fleet of members run by
 * a supervisor the action-executor reaches through its control server: what `healstream start`
 * runs in front of a demo fleet. Resolves once every service is ready and the topics are watched.
 */
export async function pipelineUnderTest<W extends keyof PipelineWatchers>(
  config: Readonly<BaseEnv>,
  topic: (logical: string) => string,
  options: PipelineUnderTestOptions<W>,
): Promise<{
  componentsFile: string;
  supervisor: Supervisor;
  webhook: TestWebhook;
  watch: Pick<PipelineWatchers, W>;
}> {
  const componentsFile = tempFile('components.yaml', options.components);
  const supervisor = new Supervisor({
    specs: memberSpecs(parseComponents(options.components, componentsFile), options.members),
    stopGraceMs: 2000,
  });
  onTestFinished(() => supervisor.stopAll(2000));
  await supervisor.startAll();
  const control = await startControlServer(supervisor, { port: 0 });
  onTestFinished(() => control.close());
  const webhook = await startTestWebhook();
  onTestFinished(() => webhook.close());

  await startAllServices(config, {
    COMPONENTS_FILE: componentsFile,
    ESCALATOR_COMPONENTS_FILE: componentsFile,
    FLEET_SUPERVISOR_URL: control.url,
    FLEET_SUPERVISOR_TOKEN: control.token,
    DETECTOR_CONFIG: tempFile(
      'detector.json',
      JSON.stringify({ ...E2E_DETECTOR, ...options.detector }),
    ),
    ...(options.webhook ? { ESCALATOR_WEBHOOK_URL: webhook.url } : {}),
    ...options.env,
  });
  const watch = await watchPipeline(topic, options.watch);
  return { componentsFile, supervisor, webhook, watch };
}
