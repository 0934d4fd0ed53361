import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ConfigError } from '@healstream/contracts';
import { Applier } from './apply.js';
import { Queries } from './queries.js';
import { DDL, SCHEMA_VERSION } from './schema.js';
import type { Position, StoredRecord } from './types.js';

export interface IncidentStoreOptions {
  /** The SQLite file, or ':memory:'. */
  path: string;
  /** The team of a component whose records carry no `team` label (from components.yaml). */
  teamOf?: (component: string) => string | null;
}

/**
 * Incidents materialised from the pipeline topics. The topics stay the truth: the store keeps
 * the next offset of each partition it applied, so feeding it the topics from the beginning
 * (after a restart, or into a deleted file) yields the same incidents, each record applied once.
 */
export class IncidentStore extends Queries {
  private readonly applier: Applier;

  private constructor(db: DatabaseSync, teamOf: (component: string) => string | null) {
    super(db);
    this.applier = new Applier(db, teamOf);
  }

  static open(options: IncidentStoreOptions): IncidentStore {
    if (options.path !== ':memory:') mkdirSync(dirname(options.path), { recursive: true });
    let db: DatabaseSync;
    try {
      db = new DatabaseSync(options.path);
      db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;');
      db.exec(DDL);
    } catch (error) {
      throw new ConfigError(
        `the incident store ${options.path} cannot be opened: ${(error as Error).message} (delete it: it is rebuilt from the topics)`,
        { variables: ['HEALSTREAM_CONSOLE_STORE'], cause: error },
      );
    }
    const version = db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as
      { value: string } | undefined;
    if (version && version.value !== SCHEMA_VERSION)
      throw new ConfigError(
        `the incident store ${options.path} has schema ${version.value}, this version writes ${SCHEMA_VERSION}: delete it, it is rebuilt from the topics`,
        { variables: ['HEALSTREAM_CONSOLE_STORE'] },
      );
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)").run(SCHEMA_VERSION);
    return new IncidentStore(db, options.teamOf ?? (() => null));
  }

  /** The next offset to apply per partition of a topic (absent: from the beginning). */
  positions(topic: string): Map<number, number> {
    const rows = this.db
      .prepare('SELECT partition, next_offset FROM positions WHERE topic = ?')
      .all(topic) as { partition: number; next_offset: number }[];
    return new Map(rows.map((r) => [r.partition, r.next_offset]));
  }

  /**
   * Applies records in one transaction, skipping those at positions already applied. Returns the
   * incidents touched and whether any dead letter arrived, for live updates.
   */
  applyBatch(records: readonly StoredRecord[]): { incidents: Set<string>; deadLetters: number } {
    const touched = new Set<string>();
    let deadLetters = 0;
    const next = this.db.prepare(
      'SELECT next_offset FROM positions WHERE topic = ? AND partition = ?',
    );
    const advance = this.db.prepare(
      `INSERT INTO positions (topic, partition, next_offset) VALUES (?, ?, ?)
       ON CONFLICT (topic, partition) DO UPDATE SET next_offset = max(next_offset, excluded.next_offset)`,
    );
    this.db.exec('BEGIN');
    try {
      for (const record of records) {
        const { at } = record;
        const done = next.get(at.topic, at.partition) as { next_offset: number } | undefined;
        if (done && Number(at.offset) < done.next_offset) continue;
        if (record.logical === 'dead-letter') {
          this.applier.deadLetter(record, at);
          deadLetters++;
        } else {
          const id = this.applier.apply(record, at);
          if (id !== null) touched.add(id);
        }
        advance.run(at.topic, at.partition, Number(at.offset) + 1);
      }
      this.db.exec('COMMIT');
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
    return { incidents: touched, deadLetters };
  }

  /** Marks a position applied without a record (one the store does not keep, or undecodable). */
  skip(at: Position): void {
    this.db
      .prepare(
        `INSERT INTO positions (topic, partition, next_offset) VALUES (?, ?, ?)
         ON CONFLICT (topic, partition) DO UPDATE SET next_offset = max(next_offset, excluded.next_offset)`,
      )
      .run(at.topic, at.partition, Number(at.offset) + 1);
  }

  close(): void {
    this.db.close();
  }
}
