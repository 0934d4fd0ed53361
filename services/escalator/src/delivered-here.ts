/**
 * The sink calls this process saw succeed, kept across its ownerships of a partition. A sink can
 * take a page and the ownership end before `delivered` is committed (a rebalance while a broker
 * is down): the next ownership restores the entry with its write-ahead `delivering` mark. If
 * this same process owns the partition again, it knows the call went through and does not make
 * it twice. Another instance cannot know, and calls the sink again with the same dedup key.
 * Bounded: the oldest calls are forgotten first.
 */
export class DeliveredHere {
  private readonly calls = new Set<string>();

  constructor(private readonly limit = 10_000) {}

  private static key(outboxKey: string, sink: string): string {
    return `${outboxKey}\u0000${sink}`;
  }

  has(outboxKey: string, sink: string): boolean {
    return this.calls.has(DeliveredHere.key(outboxKey, sink));
  }

  add(outboxKey: string, sink: string): void {
    this.calls.add(DeliveredHere.key(outboxKey, sink));
    if (this.calls.size > this.limit) {
      const oldest = this.calls.values().next().value;
      if (oldest !== undefined) this.calls.delete(oldest);
    }
  }

  /** The entry is recorded and gone from the outbox: its calls no longer matter. */
  forget(outboxKey: string, sinks: readonly string[]): void {
    for (const sink of sinks) this.calls.delete(DeliveredHere.key(outboxKey, sink));
  }
}
