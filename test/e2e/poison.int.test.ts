import { describe, expect, it, onTestFinished } from 'vitest';
import type { Escalation } from '@healstream/contracts';
import { privateAlertmanager } from '../support/alertmanager.js';
import { testKafka } from '../support/kafka.js';
import { privatePipeline } from '../support/pipeline.js';
import { startAllServices, tempFile } from '../support/full-pipeline.js';
import { startTestWebhook } from '../support/webhook.js';

// Every topic a service consumes, and who consumes it.
const INPUTS = [
  'metrics',
  'reliability-events',
  'diagnoses',
  'healing-commands',
  'healing-outcomes',
  'escalation-requests',
];

describe('a poison record in every input topic', () => {
  it('is dead-lettered by each service that reads it and paged to the webhook and a real Alertmanager', async () => {
    const { config, topic } = await privatePipeline();
    const alertmanager = await privateAlertmanager();
    onTestFinished(() => alertmanager.stop());
    const webhook = await startTestWebhook();
    onTestFinished(() => webhook.close());
    await startAllServices(config, {
      COMPONENTS_FILE: tempFile('components.yaml', 'components: {}\n'),
      ESCALATOR_WEBHOOK_URL: webhook.url,
      ESCALATOR_ALERTMANAGER_URL: alertmanager.url,
    });

    const producer = testKafka().producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    for (const logical of INPUTS) {
      await producer.send({
        topic: topic(logical),
        messages: [
          {
            key: 'payments',
            value: Buffer.from(`not avro, sent to ${logical}`),
            headers: { origin: 'poison-test' },
          },
        ],
      });
    }

    const pageFor = (logical: string) =>
      webhook.accepted().find((r) => {
        const page = r.json as Escalation;
        return (
          page.source === 'DEAD_LETTER' &&
          page.dedupKey === `healstream/dead-letter/${logical}/BAD_FRAMING`
        );
      });
    await expect
      .poll(() => INPUTS.filter((logical) => !pageFor(logical)), { timeout: 60_000, interval: 250 })
      .toEqual([]);
    for (const logical of INPUTS) {
      const page = pageFor(logical)?.json as Escalation;
      expect(page.details).toContain(`${topic(logical)} partition`);
      expect(page.summary).toContain('BAD_FRAMING');
    }
    await expect
      .poll(
        async () =>
          new Set(
            (await alertmanager.alerts({ source: 'DEAD_LETTER' })).map((a) => a.labels['dedup']),
          ).size,
        { timeout: 20_000 },
      )
      .toBe(INPUTS.length);
  });
});
