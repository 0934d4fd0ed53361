/** The store's tables. Everything here is derived from the topics; deleting the file is safe. */
export const SCHEMA_VERSION = '1';

export const DDL = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS positions (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
  PRIMARY KEY (topic, partition));
CREATE TABLE IF NOT EXISTS incidents (
  id TEXT PRIMARY KEY, component TEXT NOT NULL, team TEXT, severity TEXT,
  status TEXT NOT NULL DEFAULT 'open', opened_at INTEGER, updated_at INTEGER NOT NULL,
  resolved_at INTEGER, cause TEXT, confidence REAL, cause_at INTEGER,
  verdict TEXT, policy TEXT, verdict_at INTEGER, verification TEXT, verification_at INTEGER,
  pages INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS incidents_recent ON incidents (status, updated_at DESC);
CREATE INDEX IF NOT EXISTS incidents_component ON incidents (component, updated_at DESC);
CREATE TABLE IF NOT EXISTS entries (
  source TEXT PRIMARY KEY, incident_id TEXT NOT NULL, at INTEGER NOT NULL, kind TEXT NOT NULL,
  record TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS entries_incident ON entries (incident_id, at);
CREATE TABLE IF NOT EXISTS decisions (
  decision_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, component TEXT NOT NULL,
  verdict TEXT NOT NULL, policy TEXT, decided_at INTEGER NOT NULL, reason TEXT NOT NULL,
  evaluated TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS decisions_time ON decisions (decided_at DESC);
CREATE INDEX IF NOT EXISTS decisions_component ON decisions (component, decided_at DESC);
CREATE TABLE IF NOT EXISTS points (
  incident_id TEXT NOT NULL, metric TEXT NOT NULL, at INTEGER NOT NULL, value REAL NOT NULL,
  PRIMARY KEY (incident_id, metric, at));
CREATE TABLE IF NOT EXISTS anomalies (
  incident_id TEXT NOT NULL, metric TEXT NOT NULL, at INTEGER NOT NULL, value REAL NOT NULL,
  baseline REAL NOT NULL, score REAL NOT NULL, detector TEXT NOT NULL,
  PRIMARY KEY (incident_id, metric, at));
CREATE TABLE IF NOT EXISTS outcomes (
  command_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, component TEXT NOT NULL,
  policy TEXT NOT NULL, mode TEXT NOT NULL, actions TEXT NOT NULL, verification TEXT NOT NULL,
  finished_at INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS outcomes_component ON outcomes (component, finished_at DESC);
CREATE TABLE IF NOT EXISTS dead_letters (
  topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL, key TEXT,
  value TEXT, headers TEXT NOT NULL, timestamp INTEGER NOT NULL,
  PRIMARY KEY (topic, partition, offset));
`;
