import type { Kafka } from 'kafkajs';
import { topicsFor, type Escalation } from '@healstream/contracts';
import {
  applyOutcome,
  decide,
  effectivenessRows,
  emptyState,
  restoreState,
  type ComponentRegistry,
  type DecisionConfig,
  type EffectivenessRow,
  type EvaluatorState,
  type Policy,
} from '@healstream/core';
import {
  ChangelogRestorer,
  defineService,
  groupIdFor,
  type BaseEnv,
  type Emit,
  type Logger,
} from '@healstream/runtime';

/** The one key of the partition's state in the changelog. */
const STATE_KEY = 'evaluator';
/** Storm-breaker requests from every partition meet on one escalator partition, to page once. */
export const FLEET_KEY = '__fleet__';
export const FLEET_PARTITION = 0;

export interface EvaluatorOptions {
  config: Readonly<BaseEnv>;
  decision: Omit<DecisionConfig, 'partition' | 'partitionCount'>;
  policies: readonly Policy[];
  components: ComponentRegistry | null;
  kafka: Kafka;
  logger: Logger;
  /** Called after each decision is committed (metrics: skips by reason, dispatches). */
  onDecision?: (verdict: string, policy: string | null) => void;
  /** Called after a component's policy-effectiveness table changed and was committed. */
  onEffectiveness?: (component: string, rows: readonly EffectivenessRow[]) => void;
}

/**
 * diagnoses + healing-outcomes → healing-commands, healing-decisions, escalation-requests.
 * Cooldowns, rate windows, in-flight commands and ladders are the partition's state, written to
 * the compacted policy-evaluator.state changelog in the same transaction as the outputs and the
 * input offsets, and restored to the changelog's end before the partition is processed.
 */
export function evaluatorService(options: EvaluatorOptions) {
  const { config, logger } = options;
  const topics = topicsFor(config.HEALSTREAM_TOPIC_PREFIX);
  const restorer = new ChangelogRestorer({
    kafka: options.kafka,
    changelogTopic: topics.policyEvaluatorState.topic,
    groupId: groupIdFor(config, 'policy-evaluator'),
    logger,
  });

  const requestKey = (e: Escalation) => (e.source === 'STORM_BREAKER' ? FLEET_KEY : e.component);

  return defineService({
    name: 'policy-evaluator',
    inputs: [topics.diagnoses, topics.healingOutcomes],
    outputs: [topics.healingCommands, topics.healingDecisions, topics.escalationRequests],
    async open(partition, write) {
      const store = await restorer.restore<unknown>(partition, write);
      const saved = store.get(STATE_KEY);
      const decision: DecisionConfig = {
        ...options.decision,
        partition,
        partitionCount: config.HEALSTREAM_PARTITIONS,
      };
      // decide and applyOutcome never mutate their input: the committed state stays intact.
      const current = (): EvaluatorState =>
        (store.get(STATE_KEY) as EvaluatorState | undefined) ?? emptyState();
      if (saved !== undefined) restoreState(saved); // fail loudly on a state this version cannot read
      const verdicts: { verdict: string; policy: string | null }[] = [];
      const tables = new Map<string, EffectivenessRow[]>();
      /** The component's success-rate table goes out whenever the record changed it. */
      const publishEffectiveness = (
        emit: Emit,
        component: string,
        before: EvaluatorState,
        after: EvaluatorState,
        now: number,
      ) => {
        const rows = effectivenessRows(after, component, decision.effectiveness);
        const was = effectivenessRows(before, component, decision.effectiveness);
        if (JSON.stringify(rows) === JSON.stringify(was)) return;
        emit({
          topic: topics.policyEffectiveness.topic,
          key: component,
          raw: Buffer.from(JSON.stringify({ component, updatedAt: now, rows })),
        });
        tables.set(component, rows);
      };
      return {
        handle(record, emit: Emit) {
          if (record.logical === 'healing-outcomes') {
            const outcome = record.value;
            const before = current();
            const after = applyOutcome(before, outcome, outcome.finishedAt, decision);
            store.set(STATE_KEY, after);
            publishEffectiveness(emit, outcome.component, before, after, outcome.finishedAt);
            logger.info(
              {
                incidentId: outcome.incidentId,
                commandId: outcome.commandId,
                verification: outcome.verification,
              },
              'outcome applied',
            );
            return;
          }
          const diagnosis = record.value;
          // Event time: the samples' clock, carried through detection and diagnosis.
          const now = diagnosis.diagnosedAt;
          const before = current();
          const result = decide({
            diagnosis,
            state: before,
            policies: options.policies,
            components: options.components,
            config: decision,
            now,
          });
          store.set(STATE_KEY, result.state);
          publishEffectiveness(emit, diagnosis.component, before, result.state, now);
          for (const d of [result.decision, ...(result.shadow ? [result.shadow] : [])]) {
            emit({ topic: topics.healingDecisions.topic, key: diagnosis.component, value: d });
            verdicts.push({ verdict: d.verdict, policy: d.policy });
          }
          for (const c of result.commands)
            emit({ topic: topics.healingCommands.topic, key: c.component, value: c });
          for (const e of result.escalations) {
            const fleet = e.source === 'STORM_BREAKER';
            emit({
              topic: topics.escalationRequests.topic,
              key: requestKey(e),
              value: e,
              ...(fleet ? { partition: FLEET_PARTITION } : {}),
            });
          }
          logger.info(
            {
              incidentId: diagnosis.incidentId,
              commandId: result.decision.commandId,
              verdict: result.decision.verdict,
              policy: result.decision.policy,
            },
            result.decision.reason,
          );
        },
        beforeCommit: (emit) => store.beforeCommit(emit),
        committed: () => {
          store.committed();
          for (const v of verdicts.splice(0)) options.onDecision?.(v.verdict, v.policy);
          for (const [component, rows] of tables) options.onEffectiveness?.(component, rows);
          tables.clear();
        },
        aborted: () => {
          store.aborted();
          verdicts.length = 0;
          tables.clear();
        },
      };
    },
  });
}
