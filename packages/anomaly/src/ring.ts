/**
 * A window of the last `capacity` numbers, oldest first, kept inside an array of numbers at
 * `at`: its length, the slot of its oldest value, then `capacity` slots. What `push` then
 * `shift` past the capacity does to an array, without allocating, so a scorer's windows sit in
 * one block of memory with the rest of its state.
 */
export const ringSize = (capacity: number): number => 2 + capacity;

export function ringLength(b: number[], at: number): number {
  return b[at]!;
}

/** The `k`-th oldest value (0 ≤ k < length). */
export function ringAt(b: number[], at: number, capacity: number, k: number): number {
  const slot = b[at + 1]! + k;
  return b[at + 2 + (slot < capacity ? slot : slot - capacity)]!;
}

/** Appends `x`; a full window drops its oldest value. */
export function ringPush(b: number[], at: number, capacity: number, x: number): void {
  const length = b[at]!;
  const oldest = b[at + 1]!;
  if (length < capacity) {
    const slot = oldest + length;
    b[at + 2 + (slot < capacity ? slot : slot - capacity)] = x;
    b[at] = length + 1;
  } else {
    b[at + 2 + oldest] = x;
    b[at + 1] = oldest + 1 === capacity ? 0 : oldest + 1;
  }
}

/** The values, oldest first. */
export function ringValues(b: number[], at: number, capacity: number): number[] {
  const out = new Array<number>(ringLength(b, at));
  for (let k = 0; k < out.length; k++) out[k] = ringAt(b, at, capacity, k);
  return out;
}

/** Sets the window to `values` (its last `capacity` of them), oldest first. */
export function ringFill(b: number[], at: number, capacity: number, values: number[]): void {
  b[at] = 0;
  b[at + 1] = 0;
  for (const x of values.slice(-capacity)) ringPush(b, at, capacity, x);
}

/**
 * `size` zeros as an array V8 keeps packed, its doubles unboxed side by side on the heap (one
 * object: no boxed numbers, and unlike a Float64Array of this size no backing store outside
 * the heap, allocated and freed through malloc with every copy).
 */
export function slots(size: number): number[] {
  const b: number[] = [];
  for (let i = 0; i < size; i++) b.push(0);
  return b;
}
