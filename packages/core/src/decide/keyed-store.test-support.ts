import type { EvaluatorKeyValue } from './keyed-store.js';

/**
 * A partition's keyed state in memory, committed or not, as the runtime's PartitionState keeps
 * it: `commit` returns the changelog records a transaction writes (null: a tombstone).
 */
export class MemoryStore implements EvaluatorKeyValue {
  readonly committed = new Map<string, unknown>();
  private readonly overlay = new Map<string, unknown>();

  get(key: string): unknown {
    return this.overlay.has(key) ? (this.overlay.get(key) ?? undefined) : this.committed.get(key);
  }
  set(key: string, value: unknown): void {
    this.overlay.set(key, value);
  }
  delete(key: string): void {
    this.overlay.set(key, null);
  }
  keys(): string[] {
    const keys = new Set(this.committed.keys());
    for (const [k, v] of this.overlay) {
      if (v === null) keys.delete(k);
      else keys.add(k);
    }
    return [...keys];
  }
  load(key: string, value: unknown): void {
    this.committed.set(key, value);
  }
  /** The transaction's changelog records, as JSON text (or null), then made final. */
  commit(): { key: string; value: string | null }[] {
    const records = [...this.overlay].map(([key, v]) => ({
      key,
      value: v === null ? null : JSON.stringify(v),
    }));
    for (const [k, v] of this.overlay) {
      if (v === null) this.committed.delete(k);
      else this.committed.set(k, JSON.parse(JSON.stringify(v)));
    }
    this.overlay.clear();
    return records;
  }
  abort(): void {
    this.overlay.clear();
  }
}
