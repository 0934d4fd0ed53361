/**
 * Incidents materialised from the pipeline topics into a local SQLite store that is rebuilt
 * from the topics (node:sqlite; the topics stay the truth).
 *
 *   const store = IncidentStore.open({ path: '.healstream/console/incidents.db' });
 *   store.applyBatch([{ logical: 'reliability-events', value: event, at: { topic, partition, offset } }]);
 *   store.incidents({ open: true });   store.incident(id)?.timeline;
 */
export { IncidentStore, type IncidentStoreOptions } from './store.js';
export { describeEntry, incidentText, summaryLine, type EntryText } from './describe.js';
export { materialisedTopics, readIntoStore, type StoreFeed } from './feed.js';
export type {
  ChartSeries,
  ComponentState,
  DeadLetterRecord,
  DeadLetterRow,
  DecisionFilter,
  DecisionRow,
  FleetRow,
  IncidentChart,
  IncidentFilter,
  IncidentStatus,
  IncidentSummary,
  IncidentView,
  PipelineRecord,
  Position,
  StoredRecord,
  TimelineEntry,
} from './types.js';
