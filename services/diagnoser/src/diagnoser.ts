import { topicsFor } from '@healstream/contracts';
import { diagnose, withheld, type DiagnoseOptions } from '@healstream/core';
import { defineService, type BaseEnv, type Logger } from '@healstream/runtime';

/**
 * reliability-events → diagnoses; a young incident's provisional `unknown` with no metric past a
 * critical line is not published (`withheld`, docs/diagnosis.md). Stateless: the detector puts everything a diagnosis needs
 * into the event (snapshot with ages, anomalies, labels including the deploy marker), so the
 * diagnoser needs no changelog and any instance can take any partition at once.
 */
export function diagnoserService(options: {
  config: Readonly<BaseEnv>;
  logger: Logger;
  diagnose?: DiagnoseOptions;
}) {
  const { config, logger } = options;
  const topics = topicsFor(config.HEALSTREAM_TOPIC_PREFIX);
  return defineService({
    name: 'diagnoser',
    inputs: [topics.reliabilityEvents],
    outputs: [topics.diagnoses],
    open: () => ({
      handle(record, emit) {
        const event = record.value;
        // Event time is the clock (the samples' own timestamps): replaying a topic, or a
        // producer whose clock is off, diagnoses exactly the same way.
        const diagnosis = diagnose(event, event.detectedAt, options.diagnose);
        // A young incident's provisional unknown with nothing past a critical line is held back:
        // the incident's next event (re-emitted every few seconds) is diagnosed afresh.
        if (withheld(diagnosis)) {
          logger.debug({ incidentId: diagnosis.incidentId }, 'held back: provisional unknown');
          return;
        }
        emit({ topic: topics.diagnoses.topic, key: event.component, value: diagnosis });
        if (diagnosis.kind === 'ANOMALY') {
          const top = diagnosis.causes[0];
          logger.info(
            {
              incidentId: diagnosis.incidentId,
              component: diagnosis.component,
              cause: top?.cause,
              confidence: top?.confidence,
            },
            'diagnosed',
          );
        }
      },
    }),
  });
}
