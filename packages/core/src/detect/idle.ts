import type { ComponentDetectorState } from './state.js';

/**
 * Components the silence check never forgets because it never heard them (silence detection
 * is off, or only a scraper's `up 0` and agent metrics arrive for them): their state goes once
 * their newest sample is `forgetAfterMs` behind the partition's newest. Sample time is compared
 * with sample time, so a replay of old data forgets nothing the live data would keep.
 */
export function idleComponents(
  components: readonly ComponentDetectorState[],
  forgetAfterMs: number,
): string[] {
  let newest = -Infinity;
  for (const c of components) newest = Math.max(newest, c.lastSeenAt);
  // Two loops, no intermediate lists: every check (each second of partition time) runs this
  // over every component of the partition, and usually finds none.
  const idle: string[] = [];
  for (const c of components)
    if (!c.silence && newest - c.lastSeenAt >= forgetAfterMs) idle.push(c.component);
  return idle;
}
