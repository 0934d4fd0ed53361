import { describe, expect, it } from 'vitest';
import {
  initialRange,
  RANGE_BLOCK,
  RANGE_BLOCKS,
  RANGE_SIZE,
  rangeFrom,
  rangeInto,
  rangeOf,
  rangeUpdate,
  type RangeState,
} from './range-memory.js';
import { slots } from './ring.js';
import { createScorer } from './scorer.js';

const FIVE_MINUTES = 300_000;
const T0 = Date.UTC(2026, 0, 1);
const MEMORY = RANGE_BLOCK * RANGE_BLOCKS;

/** Uniform noise in [0, 1) from a fixed-seed generator. */
function noise(seed = 11): () => number {
  let x = seed;
  return () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

/** A range in its working form (an array of numbers, from offset 0), from its saved form. */
function working(saved: RangeState = initialRange()): number[] {
  const b = slots(RANGE_SIZE);
  rangeInto(b, 0, saved);
  return b;
}

describe('rangeUpdate', () => {
  it('alarms on a value beyond the range by more than a twentieth of it, not on one within', () => {
    const s = working();
    const rand = noise();
    for (let i = 0; i < 500; i++) rangeUpdate(s, 0, rand());
    expect(rangeUpdate(s, 0, 1.02)).toBe(false);
    expect(rangeUpdate(s, 0, 1.2)).toBe(true);
    expect(rangeUpdate(s, 0, -0.2)).toBe(true);
  });

  it('says nothing while the range is a single value', () => {
    const s = working();
    expect(rangeUpdate(s, 0, 5)).toBe(false);
    expect(rangeUpdate(s, 0, 500)).toBe(false);
  });

  it('remembers an extreme for the blocks it keeps, then forgets it', () => {
    const s = working();
    const rand = noise();
    rangeUpdate(s, 0, 0);
    rangeUpdate(s, 0, 100);
    // Asks without folding the value in.
    const probe = (x: number) => rangeUpdate(s.slice(), 0, x);
    for (let i = 2; i < MEMORY - RANGE_BLOCK; i++) rangeUpdate(s, 0, rand());
    // The extreme's block is still among the last RANGE_BLOCKS: 50 is inside the range.
    expect(probe(50)).toBe(false);
    for (let i = 0; i < 2 * RANGE_BLOCK; i++) rangeUpdate(s, 0, rand());
    // Forgotten: only the noise's range is left, and 50 is far beyond it.
    expect(probe(50)).toBe(true);
    expect(probe(0.5)).toBe(false);
  });

  it('stays constant-size plain JSON however long it runs', () => {
    const s = working();
    const rand = noise();
    const lows: number[] = [];
    let low = Infinity;
    for (let i = 0; i < 5 * MEMORY + 17; i++) {
      const x = rand();
      low = Math.min(low, x);
      if ((i + 1) % RANGE_BLOCK === 0) {
        lows.push(low);
        low = Infinity;
      }
      rangeUpdate(s, 0, x);
    }
    const saved = rangeOf(s, 0);
    expect(saved.lows).toHaveLength(RANGE_BLOCKS);
    expect(saved.highs).toHaveLength(RANGE_BLOCKS);
    // The last blocks' lows, oldest first, and the block being filled.
    expect(saved.lows).toEqual(lows.slice(-RANGE_BLOCKS));
    expect(saved.filled).toBe(17);
    expect(JSON.parse(JSON.stringify(saved))).toEqual(saved);
    // Saved and restored, it goes on as it would have.
    const again = working(saved);
    expect(again).toEqual(s);
  });

  it('takes over the all-time range of an older state as its oldest block', () => {
    const s = working(rangeFrom(-3, 7, 1234));
    expect(rangeUpdate(s, 0, 7.2)).toBe(false);
    expect(rangeUpdate(s, 0, 8)).toBe(true);
    expect(rangeFrom(0, 0, 0)).toEqual(initialRange());
  });
});

describe('the scorer with the recent range', () => {
  /** Noise around 50 (sd about 1.2) with an outlier at 100 at sample 300 and one at 90 at `at`. */
  function twoOutliers(at: number): number[] {
    const rand = noise(3);
    return Array.from(
      { length: at + 1 },
      (_, i) => 50 + 4 * (rand() - 0.5) + (i === 300 ? 50 : 0) + (i === at ? 40 : 0),
    );
  }
  const run = (values: number[]) => {
    const scorer = createScorer();
    return values.map((v, i) => scorer.update(v, T0 + i * FIVE_MINUTES).score);
  };

  it('alarms outright on an outlier inside a range stretched by one long forgotten', () => {
    const at = MEMORY + 2 * RANGE_BLOCK;
    expect(run(twoOutliers(at)).at(-1)).toBe(1);
  });

  it('leaves an outlier inside a range stretched by a recent one to the other tests', () => {
    const scores = run(twoOutliers(2000));
    expect(scores[300]).toBe(1);
    expect(scores.at(-1)).toBeLessThan(1);
  });

  it('continues a state saved before the recent range, remembering the range seen', () => {
    const values = twoOutliers(2000);
    const scorer = createScorer();
    values.slice(0, 1999).forEach((v, i) => scorer.update(v, T0 + i * FIVE_MINUTES));
    const { range: _dropped, ...old } = scorer.state() as Record<string, unknown>;
    const restored = createScorer({}, old as ReturnType<typeof scorer.state>);
    expect(restored.update(90, T0 + 1999 * FIVE_MINUTES).score).toBeLessThan(1);
    expect(restored.update(130, T0 + 2000 * FIVE_MINUTES).score).toBe(1);
  });
});
