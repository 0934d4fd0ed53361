import type { Kafka } from 'kafkajs';
import { topicsFor, type Escalation } from '@healstream/contracts';
import {
  EvaluatorStore,
  effectivenessRows,
  type ComponentRegistry,
  type DecisionConfig,
  type EffectivenessRow,
  type EvaluatorState,
  type Policy,
} from '@healstream/core';
import {
  changelogRestorerFor,
  defineService,
  type BaseEnv,
  type Emit,
  type Logger,
} from '@healstream/runtime';
import { changed, emitApprovalEffects } from './approval-effects.js';
import { partitionPolicies } from './policy-sets.js';

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
 * diagnoses + healing-outcomes + control → healing-commands, healing-decisions, escalation-requests.
 * Every control record is on every partition of the control topic, so each partition applies an
 * operator's lever at one point of its own stream and keeps it in its state.
 * Cooldowns, rate windows, in-flight commands and ladders are the partition's state, keyed per
 * component (core's EvaluatorStore: `partition` and `c/<component>`), written to the compacted
 * policy-evaluator.state changelog in the same transaction as the outputs and the input offsets
 * (only the keys a transaction changed), and restored to the changelog's end before the
 * partition is processed.
 */
export function evaluatorService(options: EvaluatorOptions) {
  const { config, logger } = options;
  const topics = topicsFor(config.HEALSTREAM_TOPIC_PREFIX);
  const restorer = changelogRestorerFor('policy-evaluator', topics.policyEvaluatorState.topic, {
    kafka: options.kafka,
    config,
    logger,
  });

  const requestKey = (e: Escalation) => (e.source === 'STORM_BREAKER' ? FLEET_KEY : e.component);

  return defineService({
    name: 'policy-evaluator',
    inputs: [topics.diagnoses, topics.healingOutcomes, topics.control],
    outputs: [topics.healingCommands, topics.healingDecisions, topics.escalationRequests],
    async open(partition, write) {
      const store = await restorer.restore<unknown>(partition, write);
      const decision: DecisionConfig = {
        ...options.decision,
        partition,
        partitionCount: config.HEALSTREAM_PARTITIONS,
      };
      // Fails loudly on a state this version cannot read, fills in the fields (with their
      // defaults) that a state written by an earlier version lacks, and splits a state written
      // as one key into its keys.
      const state = new EvaluatorStore(store, decision);
      state.open();
      const verdicts: { verdict: string; policy: string | null }[] = [];
      const sets = partitionPolicies(store, options, logger, partition);
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
          // Approvals wait by event time: whatever record comes, a deadline it passed is settled
          // first (diagnoses come every few seconds while an incident is open).
          const at =
            record.logical === 'control'
              ? record.value.createdAt
              : record.logical === 'healing-outcomes'
                ? record.value.finishedAt
                : record.value.diagnosedAt;
          const approvals =
            record.logical === 'control' && record.value.kind === 'APPROVAL'
              ? state.applyApproval(record.value, at)
              : state.settleApprovals(at);
          if (changed(approvals)) {
            verdicts.push(
              ...emitApprovalEffects(approvals, emit, topics, requestKey, logger, partition),
            );
          }
          if (record.logical === 'control' && record.value.kind === 'APPROVAL') return;
          if (record.logical === 'control' && record.value.kind === 'POLICY_SET') {
            sets.apply(record.value, record.offset);
            return;
          }
          if (record.logical === 'control') {
            const control = record.value;
            const applied = state.applyControl(control);
            // The audit line of each lever, on each partition: the compacted topic keeps only
            // the latest record per controlId, the decisions it holds back name it.
            logger.info(
              {
                controlId: control.controlId,
                kind: control.kind,
                action: control.action,
                author: control.author,
                incidentId: control.incidentId ?? undefined,
                partition,
                applied: applied.applied,
              },
              `control applied: ${applied.summary}`,
            );
            return;
          }
          if (record.logical === 'healing-outcomes') {
            const outcome = record.value;
            const { before, state: after } = state.applyOutcome(outcome, outcome.finishedAt);
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
          const running = sets.running();
          const result = state.decide({
            diagnosis,
            policies: running.policies,
            components: running.components,
            config: decision,
            now,
          });
          publishEffectiveness(emit, diagnosis.component, result.before, result.state, now);
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
              policySet: running.version,
            },
            result.decision.reason,
          );
        },
        beforeCommit: (emit) => {
          state.sweep();
          store.beforeCommit(emit);
        },
        committed: () => {
          store.committed();
          for (const v of verdicts.splice(0)) options.onDecision?.(v.verdict, v.policy);
          for (const [component, rows] of tables) options.onEffectiveness?.(component, rows);
          tables.clear();
        },
        aborted: () => {
          store.aborted();
          state.reindex();
          verdicts.length = 0;
          tables.clear();
        },
      };
    },
  });
}
