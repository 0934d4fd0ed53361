import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

// kafkajs' transaction manager, as patched in patches/kafkajs@2.2.4.patch: a transaction that
// adds its first partition while the producer's previous one is still completing on the
// coordinator is answered CONCURRENT_TRANSACTIONS. kafkajs left that to the send's retrier
// (100 ms, then 200 ms, ...), which put ~300 ms into the executor's write-ahead commits that
// follow the command's consume transaction; the patch retries it within the call, after 1-20 ms.
// The same for AddOffsetsToTxn: the first request of a transaction that produced nothing, or
// whose offsets are sent alongside its produce (chunk-transaction.ts).
const require = createRequire(import.meta.url);
const createEosManager = require('kafkajs/src/producer/eosManager/index.js') as (options: {
  logger: unknown;
  cluster: unknown;
  transactional: boolean;
  transactionalId: string;
}) => {
  initProducerId(): Promise<void>;
  beginTransaction(): void;
  addPartitionsToTransaction(
    topicData: { topic: string; partitions: { partition: number }[] }[],
  ): Promise<void>;
  sendOffsets(offsets: {
    consumerGroupId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<void>;
};
const { createErrorFromCode } = require('kafkajs/src/protocol/error.js') as {
  createErrorFromCode: (code: number) => Error & { type: string };
};

const CONCURRENT_TRANSACTIONS = 51;
const INVALID_PRODUCER_EPOCH = 47;

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A coordinator whose AddPartitionsToTxn (and AddOffsetsToTxn) fails with `code` for the first
 * `failures` calls of each.
 */
async function managerWith(failures: number, code = CONCURRENT_TRANSACTIONS) {
  const coordinator = {
    calls: 0,
    offsetCalls: 0,
    offsetCommits: 0,
    initProducerId: async () => ({ producerId: 7, producerEpoch: 0 }),
    async addPartitionsToTxn() {
      this.calls++;
      if (this.calls <= failures) throw createErrorFromCode(code);
      return {};
    },
    async addOffsetsToTxn() {
      this.offsetCalls++;
      if (this.offsetCalls <= failures) throw createErrorFromCode(code);
      return {};
    },
    async txnOffsetCommit() {
      this.offsetCommits++;
      return {};
    },
  };
  const cluster = {
    // No retries outside the call: only the patch's own retry can get past the error.
    retry: { retries: 0 },
    refreshMetadataIfNecessary: async () => {},
    findGroupCoordinator: async () => coordinator,
  };
  const eos = createEosManager({
    logger: quiet,
    cluster,
    transactional: true,
    transactionalId: 'healstream-test',
  });
  await eos.initProducerId();
  eos.beginTransaction();
  return { eos, coordinator };
}

const partitions = [{ topic: 'healing-outcomes', partitions: [{ partition: 3 }] }];
const offsets = {
  consumerGroupId: 'healstream-diagnoser',
  topics: [{ topic: 'reliability-events', partitions: [{ partition: 3, offset: '42' }] }],
};

type Manager = Awaited<ReturnType<typeof managerWith>>;

/** Each retried request: how to make it, how many times it was tried, what it committed. */
describe.each([
  {
    request: 'AddPartitionsToTxn',
    call: ({ eos }: Manager) => eos.addPartitionsToTransaction(partitions),
    tries: ({ coordinator }: Manager) => coordinator.calls,
    // AddPartitionsToTxn commits nothing of its own.
    commits: () => 0,
    committedOnSuccess: 0,
  },
  {
    request: 'AddOffsetsToTxn',
    call: ({ eos }: Manager) => eos.sendOffsets(offsets),
    tries: ({ coordinator }: Manager) => coordinator.offsetCalls,
    commits: ({ coordinator }: Manager) => coordinator.offsetCommits,
    // The offsets, once added, are committed once.
    committedOnSuccess: 1,
  },
])(
  'kafkajs $request on CONCURRENT_TRANSACTIONS (patched)',
  ({ call, tries, commits, committedOnSuccess }) => {
    it('retries within the call until the previous transaction has completed', async () => {
      const manager = await managerWith(4);
      await call(manager);
      expect(tries(manager)).toBe(5);
      expect(commits(manager)).toBe(committedOnSuccess);
    });

    it('gives up after a bounded number of tries, handing the error on as before', async () => {
      const manager = await managerWith(Infinity);
      await expect(call(manager)).rejects.toMatchObject({ type: 'CONCURRENT_TRANSACTIONS' });
      expect(tries(manager)).toBe(51);
      expect(commits(manager)).toBe(0);
    });

    it('does not retry other errors (a fenced producer fails at once)', async () => {
      const manager = await managerWith(1, INVALID_PRODUCER_EPOCH);
      await expect(call(manager)).rejects.toMatchObject({ type: 'INVALID_PRODUCER_EPOCH' });
      expect(tries(manager)).toBe(1);
      expect(commits(manager)).toBe(0);
    });
  },
);
