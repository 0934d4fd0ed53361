/**
 * A deep copy of plain JSON-like data (objects, arrays, numbers, strings, booleans, null), and
 * of typed arrays (a scorer's working state keeps its numbers in a Float64Array).
 * The scorer's state is copied on every restore and snapshot; this is an order of magnitude
 * faster than structuredClone for such small objects.
 */
export function clonePlain<T>(value: T): T {
  // A typed array (a scorer's working state) is copied whole, as the same kind of array.
  if (ArrayBuffer.isView(value)) return (value as unknown as Float64Array).slice() as T;
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = clonePlain(value[i]);
    return out as T;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value))
      out[key] = clonePlain((value as Record<string, unknown>)[key]);
    return out as T;
  }
  return value;
}
