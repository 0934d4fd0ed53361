/**
 * Incidents materialised from the pipeline topics into a local SQLite store that is rebuilt
 * from the topics (node:sqlite; the topics stay the truth).
 *
 *   const store = IncidentStore.open({ path: '.healstream/console/incidents.db' });
 *   store.applyBatch([{ logical: 'reliability-events', value: event, at: { topic, partition, offset } }]);
 *   store.incidents({ open: true });   store.incident(id)?.timeline;
 */
export { IncidentStore } from './store.js';
export { describeEntry, incidentText, summaryLine } from './describe.js';
export { readIntoStore, type StoreFeed } from './feed.js';
export type {
  DeadLetterRow,
  DecisionRow,
  FleetRow,
  IncidentChart,
  IncidentFilter,
  IncidentSummary,
  IncidentView,
  StoredRecord,
  TimelineEntry,
} from './types.js';
