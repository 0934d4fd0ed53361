/** How the transactional loop tells kafkajs' transaction failures apart. */

/** A newer owner of the partition initialised its transactional id: this one must let go. */
export class FencedError extends Error {
  constructor(cause: unknown) {
    super('fenced by a newer owner of this partition', { cause });
  }
}

/**
 * A commit or abort failed midway (connection lost, coordinator moved, request timed out). kafkajs
 * leaves such a producer in COMMITTING/ABORTING and never retries EndTxn, so it can run no
 * transaction again; whether the broker ended the transaction is not known here.
 */
export class ProducerWedgedError extends Error {
  constructor(cause: unknown) {
    super('the transaction could not be ended; its producer is unusable', { cause });
  }
}

/**
 * The broker refused the transaction with an error no retry changes (MESSAGE_TOO_LARGE, an
 * authorisation failure): retrying the same records would loop for ever.
 */
export class PermanentKafkaError extends Error {
  constructor(
    readonly type: string,
    cause: unknown,
  ) {
    super(`the broker refused the transaction for good: ${type}`, { cause });
  }
}

/** Non-retriable protocol errors that only say this producer's transaction state is broken. */
export const PRODUCER_STATE_ERRORS = new Set([
  'INVALID_TXN_STATE',
  'INVALID_PRODUCER_ID_MAPPING',
  'UNKNOWN_PRODUCER_ID',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'TRANSACTION_COORDINATOR_FENCED',
]);

/** The type of a non-retriable Kafka protocol error in the error's cause chain, if any. */
export function permanentKafkaType(error: unknown): string | undefined {
  let e = error as { type?: unknown; retriable?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string' && e.retriable === false) return e.type;
    e = e.cause as typeof e;
  }
  return undefined;
}

export function isFenced(error: unknown): boolean {
  const e = error as { type?: string; name?: string; cause?: unknown } | undefined;
  const type = e?.type ?? '';
  return (
    type === 'INVALID_PRODUCER_EPOCH' ||
    type === 'PRODUCER_FENCED' ||
    (e?.name === 'KafkaJSNonRetriableError' && e.cause !== undefined && isFenced(e.cause))
  );
}

/**
 * What a failed transaction means for its partition, from the error, whether it failed while
 * ending (commit/abort sent) and how the abort of a still-open transaction went: let go
 * (FencedError), reopen with a new producer (ProducerWedgedError), halt (PermanentKafkaError),
 * or retry on the same producer (the error itself).
 */
export function transactionOutcome(
  error: unknown,
  ending: boolean,
  abort: 'not needed' | 'done' | 'fenced' | 'failed',
): unknown {
  if (isFenced(error) || abort === 'fenced') return new FencedError(error);
  const permanent = permanentKafkaType(error);
  if (ending || abort === 'failed' || (permanent && PRODUCER_STATE_ERRORS.has(permanent)))
    return new ProducerWedgedError(error);
  return permanent ? new PermanentKafkaError(permanent, error) : error;
}

/** Group errors a heartbeat answers while the group rebalances or after it expelled the member. */
const REBALANCE_ERRORS = new Set([
  'REBALANCE_IN_PROGRESS',
  'ILLEGAL_GENERATION',
  'NOT_COORDINATOR_FOR_GROUP',
  'UNKNOWN_MEMBER_ID',
]);

/** Whether the error (or one in its cause chain) says the group is rebalancing. */
export function isRebalance(error: unknown): boolean {
  let e = error as { type?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.type === 'string' && REBALANCE_ERRORS.has(e.type)) return true;
    e = e.cause as typeof e;
  }
  return false;
}
