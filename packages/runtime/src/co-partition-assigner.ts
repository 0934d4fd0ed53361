import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/**
 * Gives each member whole partition numbers: partition p of every subscribed topic goes to the
 * same member. healstream keys every topic by component with the same partition count, so a
 * component's diagnoses, outcomes and changelog all land on the instance that holds its state.
 */
export const CoPartitionAssigner: PartitionAssigner = ({ cluster }) => ({
  name: 'HealstreamCoPartition',
  version: 1,
  async assign({ members, topics }) {
    const sorted = members.map((m) => m.memberId).sort();
    const assignment: Record<string, Record<string, number[]>> = {};
    for (const topic of topics) {
      for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
        const member = sorted[partitionId % sorted.length] as string;
        ((assignment[member] ??= {})[topic] ??= []).push(partitionId);
      }
    }
    return sorted.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 1,
        assignment: assignment[memberId] ?? {},
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: 'HealstreamCoPartition',
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics,
        userData: Buffer.alloc(0),
      }),
    };
  },
});
