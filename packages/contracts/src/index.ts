export { type RecordName } from './schemas.js';
export { Serde, frame } from './serde.js';
export { examples } from './examples.js';
export { controlRecord } from './control.js';
export { outcomeFor } from './outcome.js';
export { RUNBOOK_LINK_PREFIX, runbookLink, runbooksOf } from './runbook-links.js';
export { RegistryClient, type RegistryConnection } from './registry-client.js';
export { sign, verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signature.js';
// ERROR_CODES is exported although no package reads it yet: it is the one list of codes.
export {
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
  jsonTopics,
  dlqSourceTopics,
  topicsFor,
  incidentTopics,
  topicCatalogue,
  dlqName,
  isDeadLetter,
  type TopicHandle,
  type Topics,
  type TopicSpec,
  type ValueOf,
  type PipelineTopic,
  type IncidentTopic,
  type TaggedRecord,
} from './topics.js';
export type * from './generated/records.js';
