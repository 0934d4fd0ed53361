export { generateTypes } from './codegen.js';
export {
  loadSchema,
  recordNames,
  schemaFiles,
  schemasDir,
  type AvroSchema,
  type RecordName,
} from './schemas.js';
export { Serde, frame, unframe } from './serde.js';
export { examples } from './examples.js';
export { outcomeFor, type OutcomeResult } from './outcome.js';
export { RegistryClient, type Compatibility } from './registry-client.js';
export { sign, verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';
export {
  ERROR_CODES,
  HealstreamError,
  PoisonRecordError,
  TransientError,
  ConfigError,
  formatIssue,
  isErrorCode,
  isRetriable,
  type ConfigIssue,
  type ErrorCode,
} from './errors.js';
export {
  pipelineTopics,
  changelogTopics,
  dlqSourceTopics,
  topicsFor,
  topicCatalogue,
  dlqName,
  isDeadLetter,
  type AvroTopic,
  type DeadLetterTopic,
  type PipelineTopic,
  type RawTopic,
  type RecordTypes,
  type TopicHandle,
  type Topics,
  type TopicSpec,
  type ValueOf,
} from './topics.js';
export type * from './generated/records.js';
