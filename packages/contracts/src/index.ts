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
export {
  ERROR_CODES,
  HealstreamError,
  PoisonRecordError,
  TransientError,
  ConfigError,
  formatIssue,
  isRetriable,
  type ConfigIssue,
  type ErrorCode,
} from './errors.js';
export {
  pipelineTopics,
  changelogTopics,
  dlqSourceTopics,
  topicCatalogue,
  topicName,
  dlqName,
  type PipelineTopic,
  type TopicSpec,
} from './topics.js';
export type * from './generated/records.js';
