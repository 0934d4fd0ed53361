import { describe, expect, it } from 'vitest';
import { createLogger } from '@healstream/runtime';
import { ChangelogRestorer } from './changelog-store.js';
import { testKafka, uniqueName, withTopics } from '@healstream/test-support/kafka';

describe('changelog restore on a real broker', () => {
  it('fails with RESTORE_TIMEOUT, naming the topic and partition, when the marker never comes', async () => {
    const kafka = testKafka('restore-timeout');
    const changelog = uniqueName('restore-timeout.changelog');
    await withTopics(kafka, [{ name: changelog, partitions: 2, compact: true }]);
    const restorer = new ChangelogRestorer({
      kafka,
      changelogTopic: changelog,
      groupId: uniqueName('restore-timeout'),
      logger: createLogger('test', 'silent'),
      timeoutMs: 3000,
    });
    const started = Date.now();
    // A write that commits nothing: the marker the restore reads up to never arrives.
    const error = await restorer.restore(1, async () => {}).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'RESTORE_TIMEOUT',
      retriable: true,
      message: expect.stringContaining(
        `${changelog} partition(s) 1 did not finish in 3s`,
      ) as unknown,
    });
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
