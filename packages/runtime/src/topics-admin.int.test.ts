import { describe, expect, it } from 'vitest';
import { deleteThrowawayGroup } from '@healstream/runtime';
import { testKafka, uniqueName, withTopics } from '@healstream/test-support/kafka';

describe('deleteThrowawayGroup', () => {
  it('deletes the group a one-off reader left, and says nothing for a group that is not there', async () => {
    const kafka = testKafka();
    const topic = uniqueName('in');
    await withTopics(kafka, [{ name: topic }]);
    const groupId = uniqueName('reader');
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.run({ eachMessage: async () => {} });
    while (!joined) await new Promise((resolve) => setTimeout(resolve, 100));
    await consumer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    const groups = async () => (await admin.listGroups()).groups.map((g) => g.groupId);
    expect(await groups()).toContain(groupId);
    await deleteThrowawayGroup(kafka, groupId);
    expect(await groups()).not.toContain(groupId);
    await expect(deleteThrowawayGroup(kafka, groupId)).resolves.toBeUndefined();
    await admin.disconnect();
  }, 60_000);
});
