/**
 * Which partitions have input waiting and have made no progress for too long. A partition is
 * stalled when records were handed to it and no transaction of it committed for `stallMs`
 * since: a wedged producer, a handler that never returns, a dependency down for good. Time is
 * passed in, so this tests without a clock.
 */
export class StallWatch<K = number> {
  /** Per partition: since when input has waited without a commit. */
  private readonly waitingSince = new Map<K, number>();

  constructor(private readonly stallMs: number) {}

  /** Records to process reached the partition. */
  input(partition: K, now: number): void {
    if (!this.waitingSince.has(partition)) this.waitingSince.set(partition, now);
  }

  /** A transaction of the partition committed; `more` when records it was handed still wait. */
  progress(partition: K, now: number, more: boolean): void {
    if (more) this.waitingSince.set(partition, now);
    else this.waitingSince.delete(partition);
  }

  /** The partition was let go (revoked, fenced, stopped). */
  forget(partition: K): void {
    this.waitingSince.delete(partition);
  }

  /** Whether the partition is stalled now. */
  isStalled(partition: K, now: number): boolean {
    const since = this.waitingSince.get(partition);
    return since !== undefined && now - since >= this.stallMs;
  }

  /** Stalled partitions, in the order their input arrived. */
  stalled(now: number): K[] {
    return [...this.waitingSince.keys()].filter((p) => this.isStalled(p, now));
  }
}
