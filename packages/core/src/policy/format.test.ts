import { describe, expect, it } from 'vitest';
import { formatNumber } from './format.js';

const reference = (n: number) =>
  Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(4)));

describe('formatNumber', () => {
  it('gives the text of toPrecision(4) for readings of every size', () => {
    let x = 1;
    const rand = () => (x = (x * 48271) % 2147483647) / 2147483647;
    // One expect at the end: 200,000 of them took longer than the test may on a loaded machine.
    const wrong: string[] = [];
    for (let i = 0; i < 200_000; i++) {
      const n = (rand() - 0.1) * 10 ** Math.floor(rand() * 30 - 15);
      if (formatNumber(n) !== reference(n)) wrong.push(`${n}: ${formatNumber(n)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('keeps the edges: ties, carries to the next power of ten, tiny, huge, odd values', () => {
    const edges = [
      0.15,
      0.85,
      0.9,
      1.2345,
      1.23450001,
      0.00012345,
      9.9995,
      9.99949,
      99.995,
      999.95,
      9999.5,
      0.1 + 0.2,
      123.456,
      1e-7,
      1.5e-20,
      1e21 + 0.5,
      12345.678,
      -3.14159,
      -0.001234,
      NaN,
      Infinity,
      -Infinity,
      0,
      -0,
      5e-324,
      Number.MAX_VALUE,
      1 / 3,
      2 / 3,
    ];
    for (const n of edges) expect(formatNumber(n)).toBe(reference(n));
    // Again, now that the numbers are among the last ones written.
    for (const n of edges) expect(formatNumber(n)).toBe(reference(n));
  });
});
